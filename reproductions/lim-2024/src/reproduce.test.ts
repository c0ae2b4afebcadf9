import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { MliRow, PairRow } from './analysis';

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
    const { pairs, paths } = result.rows as { pairs: PairRow[]; paths: MliRow[] };
    expect(pairs.map((r) => r.key)).toEqual(
      [
        'standard',
        'W-asym',
        'σ-asym',
        ...['', ' + BN reset'].flatMap((c) =>
          ['standard', 'W-asym', 'W-asym (κ 1)', 'σ-asym'].map((k) => `ResNet ${k}${c}`),
        ),
      ].map((n) => `${n}/0-1`),
    );
    const [standard, wAsym] = pairs;
    expect(standard.aligned!.max).toBeLessThan(standard.naive!.max);
    expect(wAsym.naive!.max).toBeLessThan(standard.naive!.max);
    expect(wAsym.movedByMatching).toBeGreaterThanOrEqual(0);
    expect(wAsym.movedByMatching).toBeLessThanOrEqual(1);
    // Every ResNet pair has both curves; the standard one is weight-matched too.
    for (const row of pairs.filter((r) => r.family === 'ResNet')) expect(row.naive).toBeDefined();
    expect(pairs.find((r) => r.key === 'ResNet standard + BN reset/0-1')!.aligned).toBeDefined();
    // Paths from initialisation: seeds 0 and 1 of each MLP, each ending below where it starts.
    expect(paths.map((p) => `${p.kind}/${p.seed}`)).toEqual(['standard/0', 'standard/1', 'W-asym/0', 'W-asym/1']);
    for (const path of paths) expect(path.losses.at(-1)!).toBeLessThan(path.losses[0]);
    expect(existsSync(join(out, 'mli.svg'))).toBe(true);
  }, 300000);
});
