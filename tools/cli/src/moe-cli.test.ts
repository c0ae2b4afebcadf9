import { loadParams, saveParams } from '@weightspace/core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectUserError } from './testing/run-cli';

/**
 * Mixture-of-Experts models through the CLI as a user drives them: train two `moe-mlp`s on MNIST
 * with top-2 gating and a shared expert, align them with the two-stage matcher, score every
 * expert order by brute force, interpolate; and the bad inputs the architecture names.
 */
const dir = mkdtempSync(join(tmpdir(), 'ws-moe-'));
const file = (name: string) => join(dir, name);
const config = { input: 784, width: 32, experts: 4, expertWidth: 16, classes: 10 };

let trained: Promise<void> | undefined;
function trainedPair(): Promise<void> {
  trained ??= (async () => {
    for (const seed of [0, 1]) {
      const result = await cli(
        ...['train', '--arch', 'moe-mlp', '--dataset', 'mnist', '--config', JSON.stringify(config)],
        ...['--top-k', '2', '--shared-experts', '1', '--epochs', '1', '--batch-size', '64', '--train-limit', '3000'],
        ...['--seed', String(seed), '--out', file(`m${seed}.safetensors`)],
      );
      expect(result.code).toBe(0);
    }
  })();
  return trained;
}

/** The interpolation's loss barrier of A against `b` on 1,000 test images. */
async function barrier(b: string, out: string): Promise<number> {
  const result = await cli(
    ...['interpolate', '--a', file('m0.safetensors'), '--b', b, '--dataset', 'mnist'],
    ...['--points', '5', '--test-limit', '1000', '--out', file(out), '--json'],
  );
  expect(result.code).toBe(0);
  return (JSON.parse(result.out) as { barriers: { loss: number } }).barriers.loss;
}

describe('moe-mlp through the CLI', () => {
  it('trains with the expert flags, aligns in two stages, and scores every expert order by brute force', async () => {
    await trainedPair();
    const saved = JSON.parse(loadParams(file('m0.safetensors')).metadata['weightspace.config'] ?? '{}') as object;
    expect(saved).toEqual({ ...config, topK: 2, sharedExperts: 1 });
    const aligned = await cli(
      ...['align', '--a', file('m0.safetensors'), '--b', file('m1.safetensors'), '--method', 'moe'],
      ...['--expert-cost', 'gram', '--brute-force', '--dataset', 'mnist', '--test-limit', '500', '--points', '3'],
      ...['--out', file('aligned'), '--json'],
    );
    expect(aligned.code).toBe(0);
    const record = JSON.parse(readFileSync(file('aligned/alignment.json'), 'utf8')) as {
      plan: Record<string, string>;
      groups: Record<string, unknown>;
      bruteForce: { orders: Array<{ order: number[] }>; chosen: { order: number[]; rank: number }; relative: number };
    };
    expect(record.plan['moe.experts']).toBe('moe');
    expect(record.plan['hidden.0']).toBe('weight');
    expect(record.bruteForce.orders).toHaveLength(24);
    expect(record.bruteForce.chosen.order).toEqual(record.groups['moe.experts']);
    expect(record.bruteForce.chosen.rank).toBeGreaterThanOrEqual(1);
    expect(record.bruteForce.chosen.rank).toBeLessThanOrEqual(24);
    // The aligned pair is at least as connected as the pair as trained.
    const naive = await barrier(file('m1.safetensors'), 'naive');
    expect(await barrier(file('aligned/b_aligned.safetensors'), 'after')).toBeLessThanOrEqual(naive);
  }, 300000);

  it('warm-starts an MoE model from a dense one: the trunk and head taken, the gate and experts fresh', async () => {
    const dense = { ...config, experts: 1, layout: 'stacked' };
    const train = (cfg: object, out: string, ...more: string[]) =>
      cli(
        ...['train', '--arch', 'moe-mlp', '--dataset', 'mnist', '--config', JSON.stringify(cfg), '--epochs', '1'],
        ...['--train-limit', '256', '--batch-size', '128', '--out', file(out), ...more],
      );
    expect((await train(dense, 'dense.safetensors')).code).toBe(0);
    // A learning rate of 1e-12 leaves every tensor where it started.
    const child = await train(config, 'child.safetensors', '--warm-start', file('dense.safetensors'), '--lr', '1e-12');
    expect(child.code).toBe(0);
    expect(child.err).toMatch(/warm start from .*dense\.safetensors: 4 tensors taken, \d+ fresh/);
    const [parent, started] = ['dense', 'child'].map((m) => loadParams(file(`${m}.safetensors`)).params);
    const gap = (name: string, p: typeof parent, q: typeof parent) =>
      Math.max(...Array.from(p[name].dataSync()).map((v, i) => Math.abs(v - q[name].dataSync()[i])));
    for (const name of ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias'])
      expect([name, gap(name, parent, started) < 1e-6]).toEqual([name, true]);
    expect(started['moe.experts.0.fc1.weight'].shape).toEqual([16, 32]);
    expectUserError(
      await train(
        config,
        'x.safetensors',
        '--warm-start',
        file('dense.safetensors'),
        '--init',
        file('dense.safetensors'),
      ),
      /give --init \(continue a model\) or --warm-start \(reuse its tensors\), not both/,
    );
  }, 120000);

  it('refuses a top-k above the experts, expert flags on another architecture and a gate that does not match the experts, naming them', async () => {
    expectUserError(
      await cli('train', '--arch', 'moe-mlp', '--dataset', 'mnist', '--top-k', '5', '--out', file('x.safetensors')),
      /moe-mlp: topK 5 is larger than the number of experts \(4\)/,
    );
    expectUserError(
      await cli('train', '--arch', 'mlp', '--dataset', 'mnist', '--experts', '3', '--out', file('x.safetensors')),
      /--experts sets 'experts', which the config of mlp does not have/,
    );
    await trainedPair();
    const { params } = loadParams(file('m0.safetensors'));
    const { ['moe.experts.3.fc1.weight']: _dropped, ...threeExperts } = params;
    saveParams(file('broken.safetensors'), threeExperts, {});
    expectUserError(
      await cli(
        'align',
        '--a',
        file('broken.safetensors'),
        '--b',
        file('broken.safetensors'),
        '--arch',
        'moe-mlp',
        '--out',
        file('b'),
      ),
      /'moe\.gate\.weight' has 4 rows but the checkpoint has 3 experts/,
    );
    expectUserError(
      await cli(
        ...['align', '--a', file('m0.safetensors'), '--b', file('m1.safetensors'), '--method', 'moe'],
        ...['--matcher-option', 'stages=all', '--out', file('c')],
      ),
      /matcher 'moe': option stages=all is not one of both, experts, hidden/,
    );
  }, 300000);
});

describe('vit-moe and gpt-moe through the CLI', () => {
  const vitConfig = { input: [28, 28, 1], patch: 7, classes: 10, dim: 16, depth: 2, heads: 2, mlpWidth: 32 };
  const trainVit = (out: string, ...more: string[]) =>
    cli(
      ...['train', '--arch', 'vit-moe', '--dataset', 'fashion-mnist'],
      ...['--config', JSON.stringify({ ...vitConfig, norm: 'layernorm', experts: 2, expertWidth: 32, moeBlocks: [] })],
      ...['--epochs', '1', '--batch-size', '64', '--train-limit', '2000', '--out', file(out), ...more],
    );

  it('trains a ViT whose last MLP is a top-2 MoE layer from a dense parent, and aligns a pair in two stages', async () => {
    // The dense parent (no MoE block), then two children with their own gates and experts.
    expect((await trainVit('vit-dense.safetensors', '--seed', '0')).code).toBe(0);
    for (const seed of [1, 2]) {
      const child = await trainVit(
        `vit${seed}.safetensors`,
        ...['--moe-blocks', 'last', '--experts', '4', '--top-k', '2', '--seed', String(seed)],
        ...['--warm-start', file('vit-dense.safetensors')],
      );
      expect(child.code).toBe(0);
      expect(child.err).toMatch(/warm start from .*vit-dense\.safetensors: \d+ tensors taken, \d+ fresh/);
    }
    const saved = JSON.parse(loadParams(file('vit1.safetensors')).metadata['weightspace.config'] ?? '{}') as object;
    expect(saved).toMatchObject({ experts: 4, topK: 2, moeBlocks: [1] });
    const aligned = await cli(
      ...['align', '--a', file('vit1.safetensors'), '--b', file('vit2.safetensors'), '--method', 'moe'],
      ...['--out', file('vit-aligned'), '--json'],
    );
    expect(aligned.code).toBe(0);
    const record = JSON.parse(readFileSync(file('vit-aligned/alignment.json'), 'utf8')) as {
      plan: Record<string, string>;
    };
    expect(record.plan).toMatchObject({ 'blocks.1.mlp.experts': 'moe', 'mlp.0': 'weight', stream: 'weight' });
    const curve = async (b: string, out: string) => {
      const result = await cli(
        ...['interpolate', '--a', file('vit1.safetensors'), '--b', b, '--dataset', 'fashion-mnist'],
        ...['--points', '5', '--test-limit', '1000', '--out', file(out), '--json'],
      );
      expect(result.code).toBe(0);
      return (JSON.parse(result.out) as { barriers: { loss: number } }).barriers.loss;
    };
    const naive = await curve(file('vit2.safetensors'), 'vit-naive');
    expect(await curve(file('vit-aligned/b_aligned.safetensors'), 'vit-after')).toBeLessThanOrEqual(naive);
  }, 300000);

  it('trains a character GPT with an MoE layer in every block', async () => {
    const config = { vocabulary: 83, context: 64, tied: true, dim: 16, depth: 2, heads: 2, mlpWidth: 32 };
    const result = await cli(
      ...['train', '--arch', 'gpt-moe', '--dataset', 'moby-dick', '--config'],
      JSON.stringify({ ...config, norm: 'layernorm', experts: 2, expertWidth: 16, moeBlocks: [0] }),
      ...['--moe-blocks', 'every', '--shared-experts', '1', '--epochs', '1', '--train-limit', '256'],
      ...['--batch-size', '32', '--out', file('gpt.safetensors')],
    );
    expect(result.code).toBe(0);
    const names = Object.keys(loadParams(file('gpt.safetensors')).params);
    for (const block of [0, 1])
      for (const name of ['gate.weight', 'experts.1.fc2.weight', 'shared_experts.0.fc1.weight'])
        expect(names).toContain(`transformer.h.${block}.mlp.${name}`);
    expect(names.some((name) => name.endsWith('.mlp.c_fc.weight'))).toBe(false);
  }, 120000);

  it('refuses MoE blocks the model does not have and --moe-blocks on a model without them, naming the flag', async () => {
    expectUserError(
      await cli('train', '--arch', 'vit-moe', '--dataset', 'fashion-mnist', '--moe-blocks', '5', '--out', file('x')),
      /--moe-blocks: '5' is not first, last, every, none or block numbers below the depth \(2\)/,
    );
    expectUserError(
      await cli('train', '--arch', 'vit', '--dataset', 'fashion-mnist', '--moe-blocks', 'last', '--out', file('x')),
      /--moe-blocks sets 'moeBlocks', which the config of vit does not have/,
    );
  });
});
