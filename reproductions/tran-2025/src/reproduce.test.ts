import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { CellRow } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`: MLPs of width 32 with 2 and 4 experts,
 * two epochs on 6,000 images; ViTs of width 16 with the MoE layer in the first or every block, one
 * epoch on 3,000 images; one pair each), run as a user runs it: the dense parents, the MoE children
 * warm-started from them, every alignment and curve by the CLI in processes of their own. Checks
 * the files, the brute force, and that the two-stage method lowers the barrier of naive interpolation.
 */
describe('tran-2025 reproduction, smallest configuration', () => {
  it('the two-stage method lowers the naive barrier; brute force ranks the chosen order among all 24', async () => {
    const { out, result } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'moe.svg', 'moe-vit.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    const all = result.rows as CellRow[];
    const rows = all.filter((r) => r.model === 'moe-mlp');
    // 3 gatings × 2 expert counts (top-2 needs at least 2) × 5 methods.
    expect(rows).toHaveLength(30);
    // Summed over the six cells, the two-stage method leaves a lower barrier than naive interpolation.
    const total = (method: string, among = rows) =>
      among.filter((r) => r.method === method).reduce((sum, r) => sum + r.barriers[0], 0);
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
    // The ViT: dense gating, the MoE layer in the first or every block, naive and two-stage (gate cost).
    const vit = all.filter((r) => r.model !== 'moe-mlp');
    expect(vit.map((r) => [r.model, r.method])).toEqual([
      ['vit-moe, first block', 'naive'],
      ['vit-moe, first block', 'two-stage, gate cost'],
      ['vit-moe, every block', 'naive'],
      ['vit-moe, every block', 'two-stage, gate cost'],
    ]);
    expect(total('two-stage, gate cost', vit)).toBeLessThan(total('naive', vit));
    expect(vit[1].bruteForce![0].orders).toBe(24);
  }, 600000);
});
