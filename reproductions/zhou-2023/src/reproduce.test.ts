import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { PairResult } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`), run as a user runs it: a parent and
 * two spawned children, two independent models, each pair measured by `weightspace llfc` and
 * `interpolate` in processes of their own. Checks the files and the direction of the finding.
 */
describe('zhou-2023 reproduction, smallest configuration', () => {
  it('spawned and weight-matched pairs are far more connected than the naive pair', async () => {
    const { out, result } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'llfc.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    const pairs = result.rows as PairResult[];
    expect(pairs.map((p) => p.pair)).toEqual(['spawned', 'weight-matched', 'naive']);
    const [spawned, matched, naive] = pairs;
    expect(matched.barriers.loss).toBeLessThan(naive.barriers.loss / 2);
    expect(spawned.barriers.loss).toBeLessThan(naive.barriers.loss / 2);
    const hidden = (p: PairResult) => p.llfc.layers.find((l) => l.tap === 'layers.1')!.dis['0.5'].mean;
    expect(hidden(matched)).toBeLessThan(hidden(naive));
  }, 300000);
});
