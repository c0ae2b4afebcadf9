import * as tf from '@tensorflow/tfjs';
import { mlp } from '@weightspace/arch-mlp';
import { saveParams } from '@weightspace/core';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectUserError } from './testing/run-cli';

/**
 * Inputs a command can check before it trains or computes anything: each is refused with exit 2
 * naming the flag, file or value at fault, and nothing is written.
 */
const dir = mkdtempSync(join(tmpdir(), 'ws-fail-fast-'));
const blobs = (config: object, ...extra: string[]) => [
  'train',
  '--arch',
  'mlp',
  '--dataset',
  'blobs',
  '--config',
  JSON.stringify(config),
  '--epochs',
  '1',
  ...extra,
];
const fits = { input: 16, hidden: [8], classes: 4 };

/** Two small blobs MLPs saved as checkpoints, a.safetensors and b.safetensors. */
function pair(): [string, string] {
  const files: [string, string] = [join(dir, 'a.safetensors'), join(dir, 'b.safetensors')];
  files.forEach((file, seed) =>
    saveParams(file, mlp.init(fits, seed), { 'weightspace.arch': 'mlp', 'weightspace.config': JSON.stringify(fits) }),
  );
  return files;
}

describe('train', () => {
  it('accepts a weight decay and a momentum of 0', async () => {
    const out = join(dir, 'zero.safetensors');
    const r = await cli(...blobs(fits, '--optimizer', 'sgd', '--weight-decay', '0', '--momentum', '0', '--out', out));
    expect([r.code, existsSync(out)]).toEqual([0, true]);
  });

  it('refuses a negative weight decay, saying how to pass a value that starts with -', async () => {
    expectUserError(
      await cli(...blobs(fits, '--weight-decay', '-1', '--out', join(dir, 'x.safetensors'))),
      /write --flag=VALUE/,
    );
    expectUserError(
      await cli(...blobs(fits, '--weight-decay=-1', '--out', join(dir, 'x.safetensors'))),
      /--weight-decay must be a non-negative number, got '-1'/,
    );
  });

  it('refuses a config whose inputs or classes do not fit the dataset, before training', async () => {
    const out = join(dir, 'misfit.safetensors');
    expectUserError(
      await cli(...blobs({ ...fits, input: 15 }, '--out', out)),
      /--config for mlp takes 15 inputs but dataset 'blobs' has samples of \[16\]/,
    );
    expectUserError(
      await cli(...blobs({ ...fits, classes: 3 }, '--out', out)),
      /--config for mlp has 3 outputs but dataset 'blobs' has 4 classes/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to overwrite its --init checkpoint, an output that is a directory or under a file', async () => {
    const [a] = pair();
    const before = readFileSync(a);
    expectUserError(
      await cli(...blobs(fits, '--init', a, '--out', a)),
      /--out .*a\.safetensors is also the input --init/,
    );
    expect(Buffer.compare(readFileSync(a), before)).toBe(0);
    mkdirSync(join(dir, 'folder'), { recursive: true });
    expectUserError(await cli(...blobs(fits, '--out', join(dir, 'folder'))), /--out .*folder is a directory/);
    writeFileSync(join(dir, 'plain'), 'x');
    expectUserError(
      await cli(...blobs(fits, '--out', join(dir, 'plain', 'm.safetensors'))),
      /plain is a file, not a directory/,
    );
  });
});

describe('align and merge', () => {
  it('align refuses an --out whose b_aligned.safetensors is the --b checkpoint', async () => {
    const out = join(dir, 'round');
    mkdirSync(out, { recursive: true });
    const b = join(out, 'b_aligned.safetensors');
    saveParams(b, mlp.init(fits, 3), { 'weightspace.arch': 'mlp', 'weightspace.config': JSON.stringify(fits) });
    const [a] = pair();
    expectUserError(
      await cli('align', '--a', a, '--b', b, '--out', out),
      /b_aligned\.safetensors is also the input --b/,
    );
    expect(readdirSync(out)).toEqual(['b_aligned.safetensors']);
  });

  it('merge refuses an --out that is one of the checkpoints it merges', async () => {
    const [a, b] = pair();
    const before = readFileSync(b);
    expectUserError(await cli('merge', '--method', 'average', '--out', b, b, a), /is also the input checkpoint 1/);
    expect(Buffer.compare(readFileSync(b), before)).toBe(0);
  });
});

describe('checkpoints and experiment files', () => {
  it('names the file whose recorded config is not JSON, and the tensor of a non-finite weight', async () => {
    const [a] = pair();
    const notJson = join(dir, 'not-json.safetensors');
    saveParams(notJson, mlp.init(fits, 0), { 'weightspace.arch': 'mlp', 'weightspace.config': '{input: 16' });
    expectUserError(
      await cli('align', '--a', a, '--b', notJson, '--out', join(dir, 'x')),
      /not-json\.safetensors: metadata 'weightspace\.config' is not JSON/,
    );
    const params = mlp.init(fits, 1);
    const values = params['layers.1.weight'].dataSync().slice();
    values[5] = Number.NaN;
    const nan = join(dir, 'nan.safetensors');
    saveParams(
      nan,
      { ...params, 'layers.1.weight': tf.tensor(values, params['layers.1.weight'].shape) },
      { 'weightspace.arch': 'mlp', 'weightspace.config': JSON.stringify(fits) },
    );
    for (const args of [
      ['align', '--a', a, '--b', nan, '--out', join(dir, 'x')],
      ['interpolate', '--a', a, '--b', nan, '--dataset', 'blobs', '--out', join(dir, 'x')],
      ['robustness', '--model', nan, '--dataset', 'blobs', '--out', join(dir, 'x')],
    ]) {
      expectUserError(
        await cli(...args),
        /nan\.safetensors: tensor 'layers\.1\.weight' has a non-finite entry \(NaN\) at index 5/,
      );
    }
  });

  it('run refuses an alignment method it cannot give data to, and a points count past the bound, before training', async () => {
    const experiment = (extra: object) => {
      const file = join(dir, 'experiment.json');
      const out = join(dir, 'exp-out');
      writeFileSync(
        file,
        JSON.stringify({ arch: 'mlp', config: fits, dataset: 'blobs', seeds: [0, 1], out, ...extra }),
      );
      return { file, out };
    };
    let { file, out } = experiment({ align: { method: 'activation' } });
    expectUserError(await cli('run', file), /align\.method 'activation' needs training data/);
    expect(existsSync(join(out, 'a.safetensors'))).toBe(false);
    ({ file, out } = experiment({ interpolate: { points: 100000000 } }));
    expectUserError(await cli('run', file), /\/interpolate\/points must be <= 1001/);
    expect(existsSync(join(out, 'a.safetensors'))).toBe(false);
  });
});

describe('output directories', () => {
  it('align refuses a directory another run is writing, naming it', async () => {
    const [a, b] = pair();
    const out = join(dir, 'busy');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, '.weightspace.lock'),
      JSON.stringify({ pid: process.pid, holder: 'weightspace align', since: 'now' }),
    );
    expectUserError(
      await cli('align', '--a', a, '--b', b, '--out', out),
      /being written by process \d+ \(weightspace align, since now\)/,
    );
    expect(existsSync(join(out, 'b_aligned.safetensors'))).toBe(false);
  });

  it('so do interpolate, llfc, lewc and robustness', async () => {
    const [a, b] = pair();
    const out = join(dir, 'busy-too');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, '.weightspace.lock'),
      JSON.stringify({ pid: process.pid, holder: 'weightspace run', since: 'now' }),
    );
    const pairArgs = ['--a', a, '--b', b, '--dataset', 'blobs', '--out', out];
    for (const args of [
      ['interpolate', ...pairArgs],
      ['llfc', ...pairArgs],
      ['lewc', ...pairArgs],
      ['robustness', '--model', a, '--dataset', 'blobs', '--out', out],
    ]) {
      expectUserError(await cli(...args), /being written by process \d+ \(weightspace run, since now\)/);
    }
    expect(readdirSync(out)).toEqual(['.weightspace.lock']);
  });

  it('so do run and demo, before training', async () => {
    const out = join(dir, 'busy-experiment');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, '.weightspace.lock'),
      JSON.stringify({ pid: process.pid, holder: 'weightspace run', since: 'now' }),
    );
    const file = join(dir, 'busy-experiment.json');
    writeFileSync(file, JSON.stringify({ arch: 'mlp', config: fits, dataset: 'blobs', seeds: [0, 1], out }));
    for (const args of [
      ['run', file],
      ['demo', '--out', out],
    ]) {
      expectUserError(await cli(...args), /being written by process \d+ \(weightspace run, since now\)/);
    }
    expect(readdirSync(out)).toEqual(['.weightspace.lock']);
  });
});
