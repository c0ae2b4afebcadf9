import { mlp } from '@weightspace/arch-mlp';
import { saveParams } from '@weightspace/core';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectUserError } from './testing/run-cli';

/**
 * The bad-input probes of every command, by family: each must be refused with exit 2 and one
 * line naming the flag, file, field or value at fault, before any training or long computation,
 * and must leave its output path unwritten. The counts per family are printed at the end.
 */
const dir = mkdtempSync(join(tmpdir(), 'ws-probes-'));
const fits = { input: 16, hidden: [8], classes: 4 };
const metadata = (config: object) => ({ 'weightspace.arch': 'mlp', 'weightspace.config': JSON.stringify(config) });
const [a, b] = [0, 1].map((seed) => {
  const file = join(dir, `${'ab'[seed]}.safetensors`);
  saveParams(file, mlp.init(fits, seed), metadata(fits));
  return file;
});
// Two hidden layers where the others have one: no width embedding relates it to them.
const deeper = join(dir, 'deeper.safetensors');
saveParams(deeper, mlp.init({ ...fits, hidden: [9, 9] }, 2), metadata({ ...fits, hidden: [9, 9] }));
const noArch = join(dir, 'no-arch.safetensors');
saveParams(noArch, mlp.init(fits, 3), {});
const notSafetensors = join(dir, 'text.safetensors');
writeFileSync(notSafetensors, 'this is not a safetensors file');
const truncated = join(dir, 'truncated.safetensors');
writeFileSync(truncated, Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, 123]));
const missing = join(dir, 'missing.safetensors');
const aFile = join(dir, 'plain-file');
writeFileSync(aFile, 'x');
mkdirSync(join(dir, 'a-directory'), { recursive: true });

/** A fresh output path per probe, which must not exist afterwards. */
let outputs = 0;
const fresh = (suffix = ''): string => join(dir, `out-${++outputs}${suffix}`);

interface Probe {
  family: string;
  name: string;
  args: (out: string) => string[];
  message: RegExp;
}

const train = (out: string, ...extra: string[]) => [
  'train',
  '--arch',
  'mlp',
  '--dataset',
  'blobs',
  '--config',
  JSON.stringify(fits),
  '--epochs',
  '1',
  '--out',
  `${out}.safetensors`,
  ...extra,
];
const pair = (command: string, out: string, ...extra: string[]) => [
  command,
  '--a',
  a,
  '--b',
  b,
  '--dataset',
  'blobs',
  '--out',
  out,
  ...extra,
];
const experiment = (fields: object): string => {
  const file = join(dir, `experiment-${++outputs}.json`);
  writeFileSync(file, JSON.stringify({ arch: 'mlp', config: fits, dataset: 'blobs', seeds: [0, 1], ...fields }));
  return file;
};

const numericFlags: Array<[command: string, flag: string]> = [
  ['train', '--epochs'],
  ['train', '--batch-size'],
  ['train', '--lr'],
  ['train', '--seed'],
  ['train', '--train-limit'],
  ['interpolate', '--points'],
  ['interpolate', '--test-limit'],
  ['interpolate', '--threads'],
  ['llfc', '--test-limit'],
  ['lewc', '--points'],
  ['robustness', '--pgd-steps'],
  ['robustness', '--attack-limit'],
];
const argsFor = (command: string, out: string, ...extra: string[]) =>
  command === 'train'
    ? train(out, ...extra)
    : command === 'robustness'
      ? ['robustness', '--model', a, '--dataset', 'blobs', '--out', out, ...extra]
      : pair(command, out, ...extra);
const flag = (name: string) => new RegExp(name.replace(/-/g, '\\-'));

const probes: Probe[] = [
  // Flags: unknown, missing, malformed numbers and choices.
  ...['train', 'align', 'interpolate', 'llfc', 'lewc', 'merge', 'robustness'].map((command): Probe => ({
    family: 'flags',
    name: `${command} --no-such-flag`,
    args: (out) =>
      command === 'merge'
        ? ['merge', '--method', 'average', '--out', `${out}.safetensors`, a, b, '--no-such-flag']
        : command === 'align'
          ? ['align', '--a', a, '--b', b, '--out', out, '--no-such-flag']
          : [...argsFor(command, out), '--no-such-flag'],
    message: /no-such-flag/,
  })),
  ...numericFlags.flatMap(([command, name]) =>
    ['abc', '1.5e', '-3', '0x10', ''].map((value): Probe => ({
      family: 'flags',
      name: `${command} ${name}=${JSON.stringify(value)}`,
      args: (out) => argsFor(command, out, `${name}=${value}`),
      message: flag(name),
    })),
  ),
  { family: 'flags', name: 'train without --out', args: () => train('x').slice(0, -2), message: /--out/ },
  { family: 'flags', name: 'align without --b', args: (out) => ['align', '--a', a, '--out', out], message: /--b/ },
  {
    family: 'flags',
    name: 'train --optimizer rmsprop',
    args: (out) => train(out, '--optimizer', 'rmsprop'),
    message: /--optimizer/,
  },
  {
    family: 'flags',
    name: 'align --method magic',
    args: (out) => ['align', '--a', a, '--b', b, '--out', out, '--method', 'magic'],
    message: /magic/,
  },
  {
    family: 'flags',
    name: 'interpolate --correct sharpen',
    args: (out) => pair('interpolate', out, '--correct', 'sharpen'),
    message: /--correct|sharpen/,
  },
  {
    family: 'flags',
    name: 'train --backend abacus',
    args: (out) => train(out, '--backend', 'abacus'),
    message: /abacus/,
  },
  {
    family: 'flags',
    name: 'llfc --alphas 0.5,x',
    args: (out) => pair('llfc', out, '--alphas', '0.5,x'),
    message: /--alphas/,
  },
  {
    family: 'flags',
    name: 'robustness --eps -0.1',
    args: (out) => ['robustness', '--model', a, '--dataset', 'blobs', '--out', out, '--eps=-0.1'],
    message: /--eps/,
  },
  // Registry names and configurations.
  {
    family: 'config',
    name: 'train --arch nope',
    args: (out) => [...train(out)].map((x) => (x === 'mlp' ? 'nope' : x)),
    message: /nope/,
  },
  {
    family: 'config',
    name: 'train --dataset nope',
    args: (out) => train(out).map((x) => (x === 'blobs' ? 'nope' : x)),
    message: /nope/,
  },
  ...[
    ['--config is not JSON', '{input: 16'],
    ['--config misses a field', JSON.stringify({ input: 16, classes: 4 })],
    ['--config has an unknown field', JSON.stringify({ ...fits, depth: 3 })],
    ['--config has a negative width', JSON.stringify({ ...fits, hidden: [-8] })],
    ['--config inputs misfit the dataset', JSON.stringify({ ...fits, input: 15 })],
    ['--config classes misfit the dataset', JSON.stringify({ ...fits, classes: 3 })],
  ].map(([name, config]): Probe => ({
    family: 'config',
    name,
    args: (out) => train(out).map((x) => (x === JSON.stringify(fits) ? config : x)),
    message: /--config|config/,
  })),
  // Checkpoints.
  ...[
    ['missing', missing, /missing\.safetensors/],
    ['not safetensors', notSafetensors, /text\.safetensors/],
    ['truncated', truncated, /truncated\.safetensors/],
  ].flatMap(([name, file, message]) =>
    [
      ['align', (out: string) => ['align', '--a', a, '--b', file as string, '--out', out]],
      [
        'interpolate',
        (out: string) => ['interpolate', '--a', file as string, '--b', b, '--dataset', 'blobs', '--out', out],
      ],
      ['robustness', (out: string) => ['robustness', '--model', file as string, '--dataset', 'blobs', '--out', out]],
      ['merge', (out: string) => ['merge', '--method', 'average', '--out', `${out}.safetensors`, a, file as string]],
      ['train --init', (out: string) => train(out, '--init', file as string)],
    ].map(([command, args]): Probe => ({
      family: 'checkpoints',
      name: `${command as string}: a checkpoint ${name as string}`,
      args: args as (out: string) => string[],
      message: message as RegExp,
    })),
  ),
  // A checkpoint that records no architecture is read as the other input's (align, merge) or
  // the flags' (train --init) when its tensors fit; alone, it needs --arch.
  ...['interpolate', 'robustness'].map((command): Probe => ({
    family: 'checkpoints',
    name: `${command}: a checkpoint without recorded architecture, no --arch`,
    args: (out) =>
      command === 'robustness'
        ? ['robustness', '--model', noArch, '--dataset', 'blobs', '--out', out]
        : ['interpolate', '--a', noArch, '--b', noArch, '--dataset', 'blobs', '--out', out],
    message: /no-arch\.safetensors/,
  })),
  {
    family: 'checkpoints',
    name: 'align: checkpoints of different configs',
    args: (out) => ['align', '--a', a, '--b', deeper, '--out', out],
    message: /deeper\.safetensors: no one of these mlp models is at least as wide/,
  },
  // Output paths.
  ...['train', 'merge'].flatMap((command) =>
    [
      ['a directory', join(dir, 'a-directory'), /a-directory is a directory/],
      ['under a file', join(aFile, 'x.safetensors'), /plain-file is a file, not a directory/],
    ].map(([name, target, message]): Probe => ({
      family: 'outputs',
      name: `${command} --out ${name as string}`,
      args: () =>
        command === 'train'
          ? train('unused').map((x) => (x === 'unused.safetensors' ? (target as string) : x))
          : ['merge', '--method', 'average', '--out', target as string, a, b],
      message: message as RegExp,
    })),
  ),
  ...['align', 'interpolate', 'llfc', 'lewc'].map((command): Probe => ({
    family: 'outputs',
    name: `${command} --out under a file`,
    args: () =>
      command === 'align' ? ['align', '--a', a, '--b', b, '--out', join(aFile, 'o')] : pair(command, join(aFile, 'o')),
    message: /plain-file is a file, not a directory/,
  })),
  {
    family: 'outputs',
    name: 'train --init X --out X',
    args: () => train('unused', '--init', a).map((x) => (x === 'unused.safetensors' ? a : x)),
    message: /is also the input --init/,
  },
  {
    family: 'outputs',
    name: 'merge --out B B A',
    args: () => ['merge', '--method', 'average', '--out', b, b, a],
    message: /is also the input checkpoint 1/,
  },
  // Experiment files.
  {
    family: 'experiments',
    name: 'run: a missing file',
    args: () => ['run', join(dir, 'none.json')],
    message: /none\.json/,
  },
  ...[
    ['not JSON', '{"arch": '],
    ['an unknown field', JSON.stringify({ arch: 'mlp', config: fits, dataset: 'blobs', seeds: [0, 1], colour: 'red' })],
    ['one seed', JSON.stringify({ arch: 'mlp', config: fits, dataset: 'blobs', seeds: [0] })],
    ['an unknown architecture', JSON.stringify({ arch: 'nope', config: fits, dataset: 'blobs', seeds: [0, 1] })],
    ['an unknown dataset', JSON.stringify({ arch: 'mlp', config: fits, dataset: 'nope', seeds: [0, 1] })],
    [
      'a misfit config',
      JSON.stringify({ arch: 'mlp', config: { ...fits, input: 3 }, dataset: 'blobs', seeds: [0, 1] }),
    ],
  ].map(([name, text]): Probe => {
    const file = join(dir, `bad-experiment-${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    return {
      family: 'experiments',
      name: `run: ${name}`,
      args: (out) => ['run', file, '--out', out],
      message: /bad-experiment|nope|config/,
    };
  }),
  // Limits on sizes and counts.
  ...[
    ['interpolate points', { interpolate: { points: 100000000 } }, /points/],
    ['epochs', { train: { epochs: 100000000 } }, /epochs/],
    ['align iterations', { align: { maxIterations: 100000000 } }, /maxIterations|iterations/],
  ].map(([name, fields, message]): Probe => ({
    family: 'limits',
    name: `run: ${name as string} past the bound`,
    args: (out) => ['run', experiment(fields as object), '--out', out],
    message: message as RegExp,
  })),
  {
    family: 'limits',
    name: 'interpolate --points 100000000',
    args: (out) => pair('interpolate', out, '--points', '100000000'),
    message: /--points/,
  },
  { family: 'limits', name: 'lewc --points 1', args: (out) => pair('lewc', out, '--points', '1'), message: /--points/ },
];

const counts = new Map<string, number>();
afterAll(() => {
  const lines = [...counts].map(([family, n]) => `  ${family.padEnd(12)} ${n} refused with exit 2, 0 failures`);
  process.stdout.write(`CLI bad-input probes (${probes.length}):\n${lines.join('\n')}\n`);
});

describe.each([...new Set(probes.map((p) => p.family))])('bad input, %s', (family) => {
  it.each(probes.filter((p) => p.family === family).map((p) => [p.name, p] as const))(
    '%s: exit 2 naming the culprit, nothing written',
    async (_name, probe) => {
      const out = fresh();
      expectUserError(await cli(...probe.args(out)), probe.message);
      for (const written of [out, `${out}.safetensors`]) expect(existsSync(written)).toBe(false);
      counts.set(family, (counts.get(family) ?? 0) + 1);
    },
  );
});
