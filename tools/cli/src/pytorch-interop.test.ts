import { mlp } from '@weightspace/arch-mlp';
import { saveParams } from '@weightspace/core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './testing/run-cli';

/**
 * The README's "From and to PyTorch" example, run as written: it applies alignment.json's
 * permutations to B in PyTorch and must find b_aligned.safetensors and B's function. Needs
 * Debian's python3 with torch (npm run bench installs it); skipped, saying so, without.
 */
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

function readmeExample(): string {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## From and to PyTorch'));
  const match = /```python\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README has no python block under "From and to PyTorch"');
  return match[1];
}

(hasTorch ? describe : describe.skip)(
  `the README's PyTorch example${hasTorch ? '' : ' (skipped: /usr/bin/python3 has no torch; npm run bench installs python3-torch)'}`,
  () => {
    it('applies alignment.json to B in PyTorch: equal to b_aligned.safetensors, same function as B', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ws-pytorch-'));
      const config = { input: 16, hidden: [12, 8], classes: 4 };
      const metadata = { 'weightspace.arch': 'mlp', 'weightspace.config': JSON.stringify(config) };
      const [a, b] = [0, 1].map((seed) => {
        const file = join(dir, `${'ab'[seed]}.safetensors`);
        saveParams(file, mlp.init(config, seed), metadata);
        return file;
      });
      expect((await cli('align', '--a', a, '--b', b, '--out', join(dir, 'aligned'))).code).toBe(0);
      const script = join(dir, 'apply_alignment.py');
      writeFileSync(script, readmeExample());
      const run = spawnSync(PYTHON, [script, b, join(dir, 'aligned')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const figures = [...run.stdout.matchAll(/: (\S+)\n/g)].map((m) => Number(m[1]));
      expect(figures).toHaveLength(2);
      expect(figures[0]).toBe(0);
      expect(figures[1]).toBeLessThan(1e-5);
      // The permutations moved something: B and aligned B differ as parameters.
      const moved = JSON.parse(readFileSync(join(dir, 'aligned', 'alignment.json'), 'utf8')) as {
        groups: Record<string, number[]>;
      };
      expect(Object.values(moved.groups).some((perm) => perm.some((p, i) => p !== i))).toBe(true);
    }, 60_000);
  },
);
