import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import { HALF_WIDTH, type MethodRow } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`: every row, circuit form included, on
 * tiny models), run as a user runs it: GPT and ViT pairs and a half-width GPT trained, aligned in
 * each form and interpolated by the CLI in processes of their own. Checks the files and the
 * direction of the findings on this tiny budget.
 */
describe('theus-2025 reproduction, smallest configuration', () => {
  it('the orthogonal stream beats a permutation-only one, and learned matching beats vanilla averaging', async () => {
    const { out, result } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'transformers.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    const rows = result.rows as MethodRow[];
    // 9 methods on each model, 5 on the width-heterogeneous pair.
    expect(rows).toHaveLength(23);
    const half = rows.filter((r) => r.model === HALF_WIDTH);
    expect(half.map((r) => r.method)).toContain('learned matching (full)');
    // The embedded half-width B is the same model in every form: one endpoint loss for every row.
    for (const row of half) expect(row.endpoints[1]).toBeCloseTo(half[0].endpoints[1], 3);
    const halfBarrier = (method: string) => half.find((r) => r.method === method)!.barrier;
    expect(halfBarrier('learned matching (full)')).toBeLessThan(halfBarrier('vanilla averaging'));
    for (const model of ['gpt', 'vit']) {
      const barrier = (method: string) => rows.find((r) => r.model === model && r.method === method)!.barrier;
      expect(barrier('weight matching, canonical form, orthogonal stream')).toBeLessThan(
        barrier('weight matching, canonical form, permutation-only stream'),
      );
      expect(barrier('learned matching (full)')).toBeLessThan(barrier('vanilla averaging'));
    }
  }, 600000);
});
