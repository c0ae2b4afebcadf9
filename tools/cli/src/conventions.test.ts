import { mlp } from '@weightspace/arch-mlp';
import { loadParams, saveParams } from '@weightspace/core';
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from './args';
import { commands, version } from './cli';
import { commonFlags } from './flags';
import { cli, expectUserError } from './testing/run-cli';

/** The command-line conventions: --version, --help from the flag tables, --json, completion, closed stdout, tensor names. */
const dir = mkdtempSync(join(tmpdir(), 'ws-conventions-'));
const fits = { input: 16, hidden: [8], classes: 4 };
const metadata = { 'weightspace.arch': 'mlp', 'weightspace.config': JSON.stringify(fits) };
const [a, b] = [0, 1].map((seed) => {
  const file = join(dir, `${'ab'[seed]}.safetensors`);
  saveParams(file, mlp.init(fits, seed), metadata);
  return file;
});

describe('--version and --help', () => {
  it('--version prints the package version', async () => {
    const expected = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
      .version;
    for (const flag of ['--version', '-V']) expect(await cli(flag)).toEqual({ code: 0, out: expected, err: '' });
    expect(version()).toBe(expected);
  });

  it.each(commands.map((c) => [c.name, c] as const))(
    '%s --help lists every flag its parser takes, with a meaning; the parser takes every listed flag',
    async (_name, command) => {
      const help = (await cli(command.name, '--help')).out;
      for (const [name, flag] of Object.entries({ ...command.flags, ...commonFlags })) {
        const line = help.split('\n').find((l) => l.includes(`--${name}`)) ?? '';
        expect(line).toContain(`--${name}`);
        expect(flag.description.length).toBeGreaterThan(10);
        if (flag.default !== undefined) expect(help).toContain(`default: ${flag.default}`);
        const value = flag.type === 'string' ? ['value'] : [];
        expect(() => parse([`--${name}`, ...value], command.flags)).not.toThrow();
      }
      expect(() => parse(['--not-a-flag'], command.flags)).toThrow(/not-a-flag/);
      expect(help).toMatch(new RegExp(`^usage: weightspace ${command.name}`, 'm'));
    },
  );

  it('help CMD is CMD --help', async () => {
    expect(await cli('help', 'merge')).toEqual(await cli('merge', '--help'));
  });
});

describe('--json', () => {
  it('list --json is the registry as JSON', async () => {
    const r = await cli('list', '--json');
    const listing = JSON.parse(r.out) as Record<string, Array<{ id: string }>>;
    expect(Object.keys(listing)).toEqual(['architectures', 'variants', 'matchers', 'datasets', 'backends', 'packages']);
    expect(listing.architectures.map((x) => x.id)).toContain('mlp');
  });

  it('align --json prints exactly the alignment.json it wrote, and nothing else on stdout', async () => {
    const out = join(dir, 'aligned');
    const r = await cli('align', '--a', a, '--b', b, '--out', out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(readFileSync(join(out, 'alignment.json'), 'utf8')));
  });
});

describe('completion', () => {
  it.each(['bash', 'zsh'])('%s: a script the shell parses, naming every command and flag', async (shell) => {
    const r = await cli('completion', shell);
    expect(r.code).toBe(0);
    for (const c of commands) {
      expect(r.out).toContain(c.name);
      for (const flag of Object.keys(c.flags)) expect(r.out).toContain(`--${flag}`);
    }
    const check = spawnSync(shell === 'bash' ? 'bash' : 'bash', ['-n'], { input: r.out.replace(/^autoload.*\n/, '') });
    expect(check.status).toBe(0);
  });

  it('refuses a shell it does not know', async () => {
    expect((await cli('completion', 'fish')).code).toBe(2);
  });
});

describe('a closed stdout', () => {
  const MAIN = resolve(__dirname, 'main.ts');
  const REGISTER = resolve(__dirname, '..', '..', 'scripts', 'ts-register.js');
  /** `weightspace list | head -1`: the reader takes one chunk and closes the pipe. */
  const listIntoClosedPipe = () =>
    new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, ['-r', REGISTER, MAIN, 'list'], {
        env: { ...process.env, WEIGHTSPACE_BACKEND: 'cpu' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('exit', (code) => done({ code, stderr }));
    });

  it('ends the output quietly with exit 0, every time', async () => {
    for (let run = 0; run < 3; run++) expect(await listIntoClosedPipe()).toEqual({ code: 0, stderr: '' });
  }, 60_000);
});

describe('tensor names of checkpoints saved elsewhere', () => {
  const prefixed = join(dir, 'data-parallel.safetensors');
  const { params } = loadParams(b);
  // As a DataParallel model saves it, with BatchNorm-style step counters PyTorch adds.
  saveParams(
    prefixed,
    {
      ...Object.fromEntries(Object.entries(params).map(([name, t]) => [`module.${name}`, t])),
      'module.layers.0.num_batches_tracked': tf.tensor([7], [], 'int32'),
    },
    {},
  );

  it('align --strip-prefix module. gives the same alignment as the original names', async () => {
    const plain = await cli('align', '--a', a, '--b', b, '--out', join(dir, 'plain'), '--json');
    const stripped = await cli(
      'align',
      '--a',
      a,
      '--b',
      prefixed,
      '--arch',
      'mlp',
      '--strip-prefix',
      'module.',
      '--out',
      join(dir, 'stripped'),
      '--json',
    );
    expect(stripped.code).toBe(0);
    const groups = (out: string) => (JSON.parse(out) as { groups: unknown }).groups;
    expect(groups(stripped.out)).toEqual(groups(plain.out));
    const weights = (file: string) => loadParams(file).params['layers.0.weight'].dataSync();
    expect(weights(join(dir, 'stripped', 'b_aligned.safetensors'))).toEqual(
      weights(join(dir, 'plain', 'b_aligned.safetensors')),
    );
  });

  it('--rename maps leading parts; a name clash or a bad rule is refused', async () => {
    const renamed = await cli(
      'robustness',
      '--model',
      prefixed,
      '--arch',
      'mlp',
      '--rename',
      'module.=',
      '--dataset',
      'blobs',
      '--out',
      join(dir, 'robust'),
      '--attack-limit',
      '8',
      '--test-limit',
      '16',
    );
    expect(renamed.code).toBe(0);
    expectUserError(
      await cli(
        'align',
        '--a',
        a,
        '--b',
        prefixed,
        '--arch',
        'mlp',
        '--strip-prefix',
        'module.',
        '--rename',
        'layers.0.=layers.1.',
        '--out',
        join(dir, 'x'),
      ),
      /both map to 'layers\.1\./,
    );
    expectUserError(
      await cli('align', '--a', a, '--b', b, '--rename', 'nothing', '--out', join(dir, 'y')),
      /--rename takes FROM=TO/,
    );
  });

  it('without a mapping, the prefixed checkpoint is refused, naming the file', async () => {
    expectUserError(
      await cli('align', '--a', a, '--b', prefixed, '--arch', 'mlp', '--out', join(dir, 'z')),
      /data-parallel\.safetensors/,
    );
  });
});
