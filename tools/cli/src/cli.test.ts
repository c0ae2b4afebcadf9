import * as tf from '@tensorflow/tfjs';
import { loadParams, type Params, saveParams } from '@weightspace/core';
import { mlp } from '@weightspace/arch-mlp';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from './checkpoint';
import { cli, expectUserError } from './testing/run-cli';
import { createRegistrySync } from './modules';

const dir = mkdtempSync(join(tmpdir(), 'ws-cli-'));
const small = JSON.stringify({ input: 784, hidden: [128, 128], classes: 10 });

/** Runs `make` once, on first use: tests share costly inputs yet each asks for what it needs. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/** Two MLPs trained on 12,000 MNIST images from seeds 0 and 1: m0.safetensors, m1.safetensors. */
const trainedPair = once(async () => {
  for (const seed of [0, 1]) {
    const r = await cli(
      'train',
      '--arch',
      'mlp',
      '--dataset',
      'mnist',
      '--config',
      small,
      '--epochs',
      '2',
      '--batch-size',
      '128',
      '--train-limit',
      '12000',
      '--seed',
      String(seed),
      '--out',
      join(dir, `m${seed}.safetensors`),
    );
    expect(r.err).toContain('backend: wasm');
    expect(r.code).toBe(0);
  }
});

/** `align` (weight matching) of the trained pair into aligned/. */
const weightAligned = once(async () => {
  await trainedPair();
  const r = await cli(
    'align',
    '--arch',
    'mlp',
    '--a',
    join(dir, 'm0.safetensors'),
    '--b',
    join(dir, 'm1.safetensors'),
    '--out',
    join(dir, 'aligned'),
  );
  expect(r.code).toBe(0);
  return join(dir, 'aligned', 'b_aligned.safetensors');
});

/**
 * An MLP checkpoint narrower than the trained pair in its first layer and wider in its second:
 * neither can be embedded into the other (narrow.safetensors).
 */
const narrowCheckpoint = once(async () => {
  const file = join(dir, 'narrow.safetensors');
  saveParams(file, mlp.init({ input: 784, hidden: [64, 256], classes: 10 }, 0));
  return file;
});

describe('weightspace on MNIST, end to end', () => {
  beforeAll(trainedPair);

  it('align writes b_aligned.safetensors and alignment.json, inferring the sizes from the checkpoints', async () => {
    await weightAligned();
    const record = JSON.parse(readFileSync(join(dir, 'aligned', 'alignment.json'), 'utf8'));
    expect(record.method).toBe('weight');
    expect(Object.keys(record.groups)).toEqual(['hidden.0', 'hidden.1']);
    for (const perm of Object.values(record.groups) as number[][]) {
      expect([...perm].sort((x, y) => x - y)).toEqual(Array.from({ length: 128 }, (_, i) => i));
    }
    expect(record.objectiveAfter).toBeGreaterThan(record.objectiveBefore);
    expect(record.iterations).toBeGreaterThanOrEqual(2);
    expect(record.seconds).toBeGreaterThan(0);

    // Same names and shapes as B, and the same function as B.
    const b = loadParams(join(dir, 'm1.safetensors')).params;
    const aligned = loadParams(join(dir, 'aligned', 'b_aligned.safetensors')).params;
    expect(Object.keys(aligned).sort()).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(b)) expect(aligned[k].shape).toEqual(b[k].shape);
    const config = JSON.parse(small);
    const x = tf.randomNormal([16, 784], 0, 1, 'float32', 3);
    const diff = tf
      .max(tf.abs(tf.sub(mlp.apply(config, b, x).logits, mlp.apply(config, aligned, x).logits)))
      .dataSync()[0];
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it('interpolate shows a barrier that alignment removes on real data', async () => {
    const curve = async (b: string, out: string) => {
      const r = await cli(
        'interpolate',
        '--arch',
        'mlp',
        '--a',
        join(dir, 'm0.safetensors'),
        '--b',
        b,
        '--dataset',
        'mnist',
        '--points',
        '11',
        '--test-limit',
        '2000',
        '--out',
        out,
      );
      expect(r.code).toBe(0);
      expect(existsSync(join(out, 'curve.svg'))).toBe(true);
      return JSON.parse(readFileSync(join(out, 'curve.json'), 'utf8'));
    };
    const naive = await curve(join(dir, 'm1.safetensors'), join(dir, 'naive'));
    const aligned = await curve(await weightAligned(), join(dir, 'aligned-curve'));
    expect(naive.points).toHaveLength(11);
    expect(naive.points[0].t).toBe(0);
    expect(naive.points[10].t).toBe(1);
    // Endpoints are the same models, so both curves start and end at the same values.
    expect(aligned.points[0].loss).toBeCloseTo(naive.points[0].loss, 4);
    expect(aligned.points[10].loss).toBeCloseTo(naive.points[10].loss, 4);
    expect(naive.barriers.loss).toBeGreaterThan(0.3);
    expect(aligned.barriers.loss).toBeLessThan(naive.barriers.loss / 3);
    expect(aligned.barriers.accuracy).toBeLessThan(naive.barriers.accuracy);
  });
});

describe('activation matching and REPAIR on the trained pair', () => {
  beforeAll(trainedPair);
  const interpolate = async (b: string, out: string, ...extra: string[]) => {
    const limit = extra.includes('train') ? '--train-limit' : '--test-limit';
    const r = await cli(
      'interpolate',
      '--a',
      join(dir, 'm0.safetensors'),
      '--b',
      b,
      '--dataset',
      'mnist',
      '--points',
      '5',
      limit,
      '2000',
      '--out',
      out,
      ...extra,
    );
    expect(r.code).toBe(0);
    return JSON.parse(readFileSync(join(out, 'curve.json'), 'utf8'));
  };

  it('align --method activation (features of 2,000 training images) removes most of the barrier', async () => {
    const r = await cli(
      'align',
      '--method',
      'activation',
      '--dataset',
      'mnist',
      '--samples',
      '2000',
      '--a',
      join(dir, 'm0.safetensors'),
      '--b',
      join(dir, 'm1.safetensors'),
      '--out',
      join(dir, 'activation'),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'activation', 'alignment.json'), 'utf8')).method).toBe('activation');
    const naive = await interpolate(join(dir, 'm1.safetensors'), join(dir, 'naive-5'));
    const matched = await interpolate(join(dir, 'activation', 'b_aligned.safetensors'), join(dir, 'activation-curve'));
    expect(matched.barriers.loss).toBeLessThan(naive.barriers.loss / 3);
  });

  it('interpolate --correct repair lowers the naive barrier; bn-reset names an MLP as having nothing to reset', async () => {
    const plain = await interpolate(join(dir, 'm1.safetensors'), join(dir, 'plain-5'));
    const repaired = await interpolate(
      join(dir, 'm1.safetensors'),
      join(dir, 'repaired-5'),
      '--correct',
      'repair',
      '--stat-samples',
      '2000',
    );
    expect(repaired.correction).toBe('repair');
    expect(repaired.points[0].loss).toBeCloseTo(plain.points[0].loss, 5);
    expect(repaired.barriers.loss).toBeLessThan(plain.barriers.loss);
    const r = await cli(
      'interpolate',
      '--a',
      join(dir, 'm0.safetensors'),
      '--b',
      join(dir, 'm1.safetensors'),
      '--dataset',
      'mnist',
      '--out',
      join(dir, 'x'),
      '--correct',
      'bn-reset',
    );
    expectUserError(r, /architecture 'mlp' has no BatchNorm statistics to reset/);
  });

  it('interpolate --split train measures the curve on the first training images, which the models fit better', async () => {
    const test = await interpolate(join(dir, 'm1.safetensors'), join(dir, 'naive-5'));
    const train = await interpolate(join(dir, 'm1.safetensors'), join(dir, 'train-5'), '--split', 'train');
    expect(train).toMatchObject({ split: 'train', trainSamples: 2000 });
    expect(train.testSamples).toBeUndefined();
    expect(test.testSamples).toBe(2000);
    // Both models were trained on these images (the first 12,000), not on the test images.
    expect(train.endpoints.a.loss).toBeLessThan(test.endpoints.a.loss);
    expect(train.endpoints.b.loss).toBeLessThan(test.endpoints.b.loss);
    expect(train.barriers.loss).toBeGreaterThan(0.3);
    const flags = ['--a', join(dir, 'm0.safetensors'), '--b', join(dir, 'm1.safetensors'), '--dataset', 'mnist'];
    expectUserError(
      await cli('interpolate', ...flags, '--out', join(dir, 'y'), '--train-limit', '10'),
      /--train-limit bounds the evaluated training samples: it needs --split train/,
    );
    expectUserError(
      await cli('interpolate', ...flags, '--out', join(dir, 'y'), '--split', 'validation'),
      /--split must be one of test, train, got 'validation'/,
    );
  });

  it('a data-driven matcher without --dataset is a usage error', async () => {
    const r = await cli(
      'align',
      '--method',
      'ste',
      '--a',
      join(dir, 'm0.safetensors'),
      '--b',
      join(dir, 'm1.safetensors'),
      '--out',
      join(dir, 'x'),
    );
    expectUserError(r, /--method ste looks at features or losses on training data: give --dataset/);
  });
});

describe('feature-level analysis on the trained pair', () => {
  beforeAll(trainedPair);

  it('llfc: the weight-matched pair is far closer to linear feature connectivity than the naive pair', async () => {
    const run = async (b: string, out: string) => {
      const r = await cli(
        'llfc',
        '--a',
        join(dir, 'm0.safetensors'),
        '--b',
        b,
        '--dataset',
        'mnist',
        '--test-limit',
        '1000',
        '--out',
        out,
      );
      expect(r.code).toBe(0);
      expect(existsSync(join(out, 'llfc.svg'))).toBe(true);
      return JSON.parse(readFileSync(join(out, 'llfc.json'), 'utf8'));
    };
    const naive = await run(join(dir, 'm1.safetensors'), join(dir, 'llfc-naive'));
    const aligned = await run(await weightAligned(), join(dir, 'llfc-aligned'));
    const hidden = (r: {
      layers: Array<{ tap: string; dis: Record<string, { mean: number }>; baseline: { mean: number } }>;
    }) =>
      r.layers.find((l) => l.tap === 'layers.1') as {
        dis: Record<string, { mean: number }>;
        baseline: { mean: number };
      };
    expect(naive.layers.map((l: { tap: string }) => l.tap)).toEqual([
      'layers.0.pre',
      'layers.0',
      'layers.1.pre',
      'layers.1',
      'logits',
    ]);
    expect(hidden(aligned).dis['0.5'].mean).toBeLessThan(hidden(naive).dis['0.5'].mean / 2);
    expect(hidden(aligned).dis['0.5'].mean).toBeLessThan(hidden(aligned).baseline.mean / 2);
    expect(aligned.commutativity[1].distCom).toBeLessThan(naive.commutativity[1].distCom);
  });

  it('lewc: reports raw and temperature-calibrated barriers and per-layer LEWC figures', async () => {
    const out = join(dir, 'lewc');
    const r = await cli(
      'lewc',
      '--a',
      join(dir, 'm0.safetensors'),
      '--b',
      join(dir, 'm1.safetensors'),
      '--dataset',
      'mnist',
      '--test-limit',
      '1000',
      '--calibration-limit',
      '1000',
      '--points',
      '5',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'lewc.json'), 'utf8'));
    const mid = report.curve.points[2];
    expect(mid.t).toBe(0.5);
    expect(mid.beta).toBeGreaterThan(0);
    expect(mid.calibratedLoss).toBeLessThan(mid.loss);
    expect(report.curve.barriers.calibratedLoss).toBeLessThan(report.curve.barriers.loss);
    expect(report.layers.map((l: { depth: number }) => l.depth)).toEqual([1, 1, 2, 2, 3]);
    expect(report.orthogonality).toHaveLength(3);
  });

  it('train --init continues from a checkpoint (spawning): children share the parent and differ from each other', async () => {
    const child = async (seed: number) => {
      const file = join(dir, `child-${seed}.safetensors`);
      const r = await cli(
        'train',
        '--arch',
        'mlp',
        '--dataset',
        'mnist',
        '--init',
        join(dir, 'm0.safetensors'),
        '--epochs',
        '1',
        '--train-limit',
        '2000',
        '--seed',
        String(seed),
        '--out',
        file,
      );
      expect(r.code).toBe(0);
      return loadParams(file).params;
    };
    const [c1, c2] = [await child(21), await child(22)];
    const parent = loadParams(join(dir, 'm0.safetensors')).params;
    const dist = (x: Params, y: Params) => tf.norm(tf.sub(x['layers.1.weight'], y['layers.1.weight'])).dataSync()[0];
    expect(dist(c1, c2)).toBeGreaterThan(0);
    expect(dist(c1, c2)).toBeLessThan(dist(parent, loadParams(join(dir, 'm1.safetensors')).params) / 3);
  });
});

describe('merge and robustness on the trained pair', () => {
  beforeAll(trainedPair);
  const evaluateOn = async (file: string, out: string) => {
    const r = await cli(
      'robustness',
      '--model',
      file,
      '--dataset',
      'mnist',
      '--test-limit',
      '1000',
      '--attack-limit',
      '300',
      '--eps',
      '0.05,0.1',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    return JSON.parse(readFileSync(join(out, 'robustness.json'), 'utf8'));
  };

  it('aligned merges keep far more accuracy than naive averaging', async () => {
    const inputs = [join(dir, 'm0.safetensors'), join(dir, 'm1.safetensors')];
    const accuracy: Record<string, number> = {};
    for (const method of ['average', 'mergemany', 'hierarchical']) {
      const out = join(dir, `merged-${method}.safetensors`);
      const r = await cli('merge', '--method', method, '--out', out, ...inputs);
      expect(r.code).toBe(0);
      const record = JSON.parse(readFileSync(join(dir, `merged-${method}.json`), 'utf8'));
      expect(record.inputs).toEqual(inputs);
      accuracy[method] = (await evaluateOn(out, join(dir, `rob-${method}`))).clean.accuracy;
    }
    expect(accuracy.mergemany).toBeGreaterThan(accuracy.average + 0.05);
    expect(accuracy.hierarchical).toBeGreaterThan(accuracy.average + 0.05);
  });

  it('robustness reports attacks below clean accuracy and a positive Lipschitz bound', async () => {
    const r = await evaluateOn(join(dir, 'm0.safetensors'), join(dir, 'rob-m0'));
    expect(r.clean.accuracy).toBeGreaterThan(0.8);
    expect(r.attackedSamples).toBe(300);
    expect(r.fgsm['0.1']).toBeLessThan(r.clean.accuracy);
    expect(r.pgd['0.1']).toBeLessThanOrEqual(r.fgsm['0.1']);
    expect(r.spectralNorms.map((l: { name: string }) => l.name)).toEqual([
      'layers.0.weight',
      'layers.1.weight',
      'layers.2.weight',
    ]);
    expect(r.lipschitzUpperBound).toBeCloseTo(
      r.spectralNorms.reduce((p: number, l: { norm: number }) => p * l.norm, 1),
      6,
    );
  });
});

describe('errors a user can fix: one line, exit code 2, no stack trace', () => {
  beforeAll(trainedPair);
  it('an unknown flag', async () => expectUserError(await cli('align', '--bogus'), /Unknown option '--bogus'/));
  it('a missing flag', async () => expectUserError(await cli('align', '--a', 'x.safetensors'), /--b is required/));
  it('a malformed number', async () =>
    expectUserError(
      await cli('interpolate', '--a', 'a', '--b', 'b', '--dataset', 'mnist', '--out', 'o', '--points', 'many'),
      /--points must be an integer in \[2, 1001\], got 'many'/,
    ));
  it('an unknown command', async () => expectUserError(await cli('frobnicate'), /unknown command 'frobnicate'/));
  it('an unknown correction', async () =>
    expectUserError(
      await cli('interpolate', '--a', 'a', '--b', 'b', '--dataset', 'mnist', '--out', 'o', '--correct', 'magic'),
      /--correct must be one of plain, bn-reset, repair, got 'magic'/,
    ));
  it('an unknown backend', async () =>
    expectUserError(
      await cli('align', '--a', 'a', '--b', 'b', '--out', 'o', '--backend', 'abacus'),
      /unknown backend 'abacus'; choose one of: cpu, tensorflow, wasm, webgpu/,
    ));
  it('an unknown architecture', async () =>
    expectUserError(
      await cli(
        'align',
        '--arch',
        'resnet99',
        '--a',
        join(dir, 'm0.safetensors'),
        '--b',
        join(dir, 'm1.safetensors'),
        '--out',
        join(dir, 'x'),
      ),
      /unknown architecture 'resnet99'/,
    ));

  it('a truncated checkpoint, naming the file', async () => {
    const file = join(dir, 'truncated.safetensors');
    const bytes = readFileSync(join(dir, 'm0.safetensors'));
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    expectUserError(
      await cli('align', '--a', join(dir, 'm0.safetensors'), '--b', file, '--out', join(dir, 'x')),
      /truncated\.safetensors: tensor '[^']+': data_offsets .* run past the end/,
    );
  });

  it('checkpoints of two widths neither of which holds the other, naming the files', async () => {
    const other = await narrowCheckpoint();
    expectUserError(
      await cli('align', '--arch', 'mlp', '--a', join(dir, 'm0.safetensors'), '--b', other, '--out', join(dir, 'x')),
      /m0\.safetensors, .*narrow\.safetensors: no one of these mlp models is at least as wide as the others in every group/,
    );
  });

  it('merging one checkpoint, or an unknown method', async () => {
    expectUserError(
      await cli('merge', '--method', 'average', '--out', join(dir, 'x.safetensors'), join(dir, 'm0.safetensors')),
      /at least two checkpoints/,
    );
    expectUserError(
      await cli(
        'merge',
        '--method',
        'soup',
        '--out',
        join(dir, 'x.safetensors'),
        join(dir, 'm0.safetensors'),
        join(dir, 'm1.safetensors'),
      ),
      /--method must be one of average, mergemany, hierarchical/,
    );
  });

  it('merging checkpoints of widths no one of which holds the others, naming the files', async () => {
    expectUserError(
      await cli(
        'merge',
        '--method',
        'mergemany',
        '--out',
        join(dir, 'x.safetensors'),
        join(dir, 'm0.safetensors'),
        join(dir, 'm1.safetensors'),
        await narrowCheckpoint(),
      ),
      /m0\.safetensors, .*m1\.safetensors, .*narrow\.safetensors: no one of these mlp models is at least as wide/,
    );
  });

  it('a dataset whose samples do not fit the checkpoint, naming the file', async () => {
    expectUserError(
      await cli(
        'interpolate',
        '--a',
        join(dir, 'm0.safetensors'),
        '--b',
        join(dir, 'm1.safetensors'),
        '--dataset',
        'blobs',
        '--out',
        join(dir, 'x'),
      ),
      /m0\.safetensors takes 784 inputs but dataset 'blobs' has samples of \[16\]/,
    );
    expectUserError(
      await cli('robustness', '--model', join(dir, 'm0.safetensors'), '--dataset', 'blobs', '--out', join(dir, 'x')),
      /m0\.safetensors takes 784 inputs but dataset 'blobs' has samples of \[16\]/,
    );
  });

  it('a checkpoint that is not an MLP', async () => {
    const file = join(dir, 'conv.safetensors');
    saveParams(file, { 'conv1.weight': tf.zeros([4, 1, 3, 3]) });
    expectUserError(
      await cli('align', '--arch', 'mlp', '--a', file, '--b', file, '--out', join(dir, 'x')),
      /conv\.safetensors: mlp: no 'layers\.0\.weight'/,
    );
  });

  it('a config that fails its schema', async () => {
    expectUserError(
      await cli(
        'train',
        '--arch',
        'mlp',
        '--dataset',
        'blobs',
        '--config',
        '{"input": 16, "hidden": [0], "classes": 4, "extra": 1}',
        '--out',
        join(dir, 'bad.safetensors'),
      ),
      /--config for mlp: .*has unknown property 'extra'.*\/hidden\/0 must be >= 1/,
    );
  });

  it('an experiment file that fails its schema, naming the file and field', async () => {
    const file = join(dir, 'bad-experiment.json');
    writeFileSync(
      file,
      JSON.stringify({ arch: 'mlp', config: {}, dataset: 'blobs', seeds: [0], out: 'x', train: { epochs: 0 } }),
    );
    expectUserError(
      await cli('run', file),
      /bad-experiment\.json: .*\/seeds must NOT have fewer than 2 items.*\/train\/epochs must be >= 1/,
    );
  });
});

describe('run <experiment.json>', () => {
  it('trains, aligns and reports on a small experiment, and reuses finished checkpoints', async () => {
    const out = join(dir, 'exp');
    const file = join(dir, 'experiment.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'blobs test',
        arch: 'mlp',
        config: { input: 16, hidden: [32, 32], classes: 4 },
        dataset: 'blobs',
        seeds: [3, 4],
        train: { epochs: 3, batchSize: 64 },
        interpolate: { points: 5 },
        out,
      }),
    );
    const first = await cli('run', file);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/naive\s+-?\d/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.curves.naive.points).toHaveLength(5);
    expect(report.train.reused).toEqual([false, false]);
    expect(report.endpoints[0].testAccuracy).toBeGreaterThan(0.5);
    for (const f of [
      'a.safetensors',
      'b.safetensors',
      'b_aligned.safetensors',
      'alignment.json',
      'curves.svg',
      'report.md',
    ]) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    const second = await cli('run', file);
    expect(second.code).toBe(0);
    expect(second.err).toContain('reusing');
    const again = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(again.train.reused).toEqual([true, true]);
    expect(again.curves.naive.barriers.loss).toBeCloseTo(report.curves.naive.barriers.loss, 6);
  });
});

describe('list', () => {
  it('lists every kind of plugin', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    for (const heading of ['architectures:', 'variants:', 'matchers:', 'datasets:', 'backends:'])
      expect(r.out).toContain(heading);
    expect(r.out).toMatch(/^\s+mlp\s/m);
    expect(r.out).toMatch(/^\s+weight\s/m);
    expect(r.out).toMatch(/^\s+mnist\s/m);
    expect(r.out).toMatch(/^\s+wasm\s/m);
    // The forms align --form takes, where an architecture has more than one.
    expect(r.out).toMatch(/^\s+gpt\s.*\[forms: original, canonical, circuits\]$/m);
    expect(r.out).not.toMatch(/^\s+mlp\s.*\[forms:/m);
  });
});

describe('the W-asymmetric MLP variant', () => {
  it('trains, saves its mask seed, and reloads to bit-identical outputs in a fresh plugin', async () => {
    const file = join(dir, 'wasym.safetensors');
    const config = { input: 16, hidden: [12, 10], classes: 4, wAsym: { seed: 5, nFix: [4, 3, 2] } };
    const r = await cli(
      'train',
      '--arch',
      'mlp.w-asym',
      '--dataset',
      'blobs',
      '--config',
      JSON.stringify(config),
      '--epochs',
      '2',
      '--batch-size',
      '64',
      '--out',
      file,
    );
    expect(r.code).toBe(0);
    const first = loadModel(file, createRegistrySync());
    const second = loadModel(file, createRegistrySync());
    expect(first.plugin.id).toBe('mlp.w-asym');
    expect(first.config).toEqual(config);
    const x = tf.randomNormal([8, 16], 0, 1, 'float32', 9);
    const a = first.plugin.apply(first.config, first.params, x).logits.dataSync();
    const b = second.plugin.apply(second.config, second.params, x).logits.dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    // With another mask seed the same weights compute something else.
    const other = { ...config, wAsym: { ...config.wAsym, seed: 6 } };
    const c = first.plugin.apply(other, first.params, x).logits.dataSync();
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });
});

describe('a BatchNorm ResNet through the command line', () => {
  const config = JSON.stringify({
    input: [28, 28, 1],
    classes: 10,
    width: 1,
    norm: 'batchnorm',
    depth: 8,
    stemStride: 2,
  });
  const model = (seed: number) => join(dir, `r${seed}.safetensors`);
  beforeAll(async () => {
    for (const seed of [0, 1]) {
      const r = await cli(
        'train',
        '--arch',
        'resnet20',
        '--dataset',
        'fashion-mnist',
        '--config',
        config,
        '--epochs',
        '1',
        '--batch-size',
        '64',
        '--train-limit',
        '512',
        '--seed',
        String(seed),
        '--out',
        model(seed),
      );
      expect(r.code).toBe(0);
    }
  });

  it('weight matching counts the running statistics with --match-statistics yes, and leaves them out with no', async () => {
    const align = async (choice: string) => {
      const out = join(dir, `r-statistics-${choice}`);
      const r = await cli(
        'align',
        '--a',
        model(0),
        '--b',
        model(1),
        '--match-statistics',
        choice,
        '--out',
        out,
        '--json',
      );
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(join(out, 'alignment.json'), 'utf8')) as { objectiveBefore: number };
    };
    const [counted, left] = [await align('yes'), await align('no')];
    // At the identity the two objectives differ by exactly the statistics' own inner products.
    const registry = createRegistrySync();
    const [a, b] = [model(0), model(1)].map((file) => loadModel(file, registry));
    const statistics = a.plugin.normalisation(a.config).flatMap((n) => [n.runningMean, n.runningVar]);
    const ofStatistics = statistics.reduce(
      (sum, name) => sum + tf.sum(tf.mul(a.params[name], b.params[name])).dataSync()[0],
      0,
    );
    expect(counted.objectiveBefore - left.objectiveBefore).toBeCloseTo(ofStatistics, 1);
    expectUserError(
      await cli('align', '--a', model(0), '--b', model(1), '--match-statistics', 'maybe', '--out', join(dir, 'r-x')),
      /--match-statistics must be one of yes, no, got 'maybe'/,
    );
  });

  it('aligns by activations, interpolates with BN reset, and merges with recomputed statistics', async () => {
    expect(
      (
        await cli(
          'align',
          '--method',
          'activation',
          '--dataset',
          'fashion-mnist',
          '--samples',
          '256',
          '--a',
          model(0),
          '--b',
          model(1),
          '--out',
          join(dir, 'r-aligned'),
        )
      ).code,
    ).toBe(0);
    const record = JSON.parse(readFileSync(join(dir, 'r-aligned', 'alignment.json'), 'utf8'));
    expect(Object.keys(record.groups)).toEqual(
      expect.arrayContaining(['stage1', 'stage2', 'stage3', 'layer1.0.inner']),
    );

    const curve = async (correct: string) => {
      const out = join(dir, `r-curve-${correct}`);
      const r = await cli(
        'interpolate',
        '--a',
        model(0),
        '--b',
        join(dir, 'r-aligned', 'b_aligned.safetensors'),
        '--dataset',
        'fashion-mnist',
        '--points',
        '3',
        '--test-limit',
        '200',
        '--stat-samples',
        '256',
        '--correct',
        correct,
        '--out',
        out,
      );
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(join(out, 'curve.json'), 'utf8'));
    };
    const [plain, reset] = [await curve('plain'), await curve('bn-reset')];
    expect(reset.correction).toBe('bn-reset');
    expect(reset.points[0].loss).toBeCloseTo(plain.points[0].loss, 5);
    // Interpolated running statistics describe neither endpoint: recomputing them lowers the midpoint's loss.
    expect(reset.points[1].loss).toBeLessThan(plain.points[1].loss);

    const merged = join(dir, 'r-merged.safetensors');
    expect(
      (
        await cli(
          'merge',
          '--method',
          'average',
          '--dataset',
          'fashion-mnist',
          '--stat-samples',
          '256',
          '--out',
          merged,
          model(0),
          model(1),
        )
      ).code,
    ).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'r-merged.json'), 'utf8')).bnReset).toEqual({
      dataset: 'fashion-mnist',
      samples: 256,
    });
    // The merged statistics are those of the merged model on the first 256 training images, each
    // layer's input channels measured here in training mode: mean and unbiased variance.
    const registry = createRegistrySync();
    const { plugin, config: merging, params } = loadModel(merged, registry);
    const images = (await registry.dataset('fashion-mnist').load({ trainLimit: 256, testLimit: 1 })).train;
    const x = tf.tensor(images.x, [256, ...plugin.inputShape(merging)]);
    const norms = plugin.normalisation(merging);
    expect(norms.length).toBeGreaterThan(0);
    const { features } = plugin.apply(merging, params, x, { train: true, taps: norms.map((n) => n.tap) });
    for (const norm of norms) {
      const channels = features[norm.tap].shape[3] as number;
      const rows = features[norm.tap].reshape([-1, channels]);
      const { mean, variance } = tf.moments(rows, 0);
      const unbiased = tf.mul(variance, rows.shape[0] / (rows.shape[0] - 1));
      const close = (stored: tf.Tensor, measured: tf.Tensor) =>
        tf.max(tf.abs(tf.sub(stored, measured))).dataSync()[0] <=
        1e-4 * Math.max(1, tf.max(tf.abs(measured)).dataSync()[0]);
      expect([norm.runningMean, close(params[norm.runningMean], mean)]).toEqual([norm.runningMean, true]);
      expect([norm.runningVar, close(params[norm.runningVar], unbiased)]).toEqual([norm.runningVar, true]);
    }
  });
});
