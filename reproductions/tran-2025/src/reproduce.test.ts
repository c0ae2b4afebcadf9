import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { CellRow } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`: width 32, 2 and 4 experts, one pair,
 * two epochs on 6,000 images), run as a user runs it: the dense parent, the MoE children warm-started
 * from it, every alignment and curve by the CLI in processes of their own. Checks the files, the
 * brute force, and that the two-stage method lowers the barrier of naive interpolation.
 */
describe('tran-2025 reproduction, smallest configuration', () => {
  it('the two-stage method lowers the naive barrier; brute force ranks the chosen order among all 24', async () => {
    const { out, result } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'moe.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    const rows = result.rows as CellRow[];
    // 3 gatings × 2 expert counts (top-2 needs at least 2) × 5 methods.
    expect(rows).toHaveLength(30);
    // Summed over the six cells, the two-stage method leaves a lower barrier than naive interpolation.
    const total = (method: string) =>
      rows.filter((r) => r.method === method).reduce((sum, r) => sum + r.barriers[0], 0);
    expect(total('two-stage, gate cost')).toBeLessThan(total('naive'));
    expect(total('two-stage, Gram cost')).toBeLessThan(total('naive'));
    for (const gating of ['dense', 'top-2', 'top-2 + shared']) {
      const brute = rows.filter((r) => r.gating === gating && r.experts === 4 && r.bruteForce);
      expect(brute.map((r) => r.method)).toEqual(['two-stage, gate cost', 'two-stage, Gram cost']);
      for (const r of brute) {
        expect(r.bruteForce![0].orders).toBe(24);
        expect(r.bruteForce![0].rank).toBeGreaterThanOrEqual(1);
        expect(r.bruteForce![0].rank).toBeLessThanOrEqual(24);
      }
    }
  }, 600000);
});
