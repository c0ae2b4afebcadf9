import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { PairRow } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`), run as a user runs it: standard,
 * W-asymmetric and σ-asymmetric pairs trained, aligned and interpolated by the CLI in processes of
 * their own. Checks the files and the direction of the finding on this tiny budget.
 */
describe('lim-2024 reproduction, smallest configuration', () => {
  it('weight matching lowers the standard nets’ barrier, and W-asymmetric nets have a lower one unaligned', async () => {
    const { out, result } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'asymmetric.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    const rows = result.rows as PairRow[];
    expect(rows.map((r) => r.key)).toEqual(['standard/0-1', 'W-asym/0-1', 'σ-asym/0-1']);
    const [standard, wAsym] = rows;
    expect(standard.aligned!.max).toBeLessThan(standard.naive!.max);
    expect(wAsym.naive!.max).toBeLessThan(standard.naive!.max);
    expect(wAsym.movedByMatching).toBeGreaterThanOrEqual(0);
    expect(wAsym.movedByMatching).toBeLessThanOrEqual(1);
  }, 300000);
});
