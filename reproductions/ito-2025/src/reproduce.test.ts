import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { WidthRow } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`), run as a user runs it: widths 32 and
 * 64 at both weight decays, each pair unaligned and weight-matched, measured by `weightspace lewc`
 * in a process of its own.
 * Checks the files, the rows and the direction of the finding on this tiny budget.
 */
describe('ito-2025 reproduction, smallest configuration', () => {
  it('temperature calibration lowers every raw loss barrier, and every layer reports LEWC and orthogonality', async () => {
    const { out, result } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'width.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    const rows = result.rows as WidthRow[];
    expect(rows.map((r) => `w${r.width}/wd${r.weightDecay}/${r.method}`)).toEqual(
      [32, 64].flatMap((w) => [0.003, 0.0001].flatMap((wd) => ['none', 'weight'].map((m) => `w${w}/wd${wd}/${m}`))),
    );
    // 2 epochs of 12 batches of 512 over the first 6,000 images.
    for (const row of rows) expect(row.steps).toBe(24);
    // Weight matching lowers the raw barrier of every pair that temperature alone leaves high.
    for (let k = 0; k < rows.length; k += 2) expect(rows[k + 1].lossBarrier).toBeLessThan(rows[k].lossBarrier);
    for (const row of rows) {
      expect(row.calibratedLossBarrier).toBeLessThan(row.lossBarrier);
      expect(row.midpointBeta).toBeGreaterThan(0);
      expect(row.lewcCosine).toHaveLength(5);
      expect(row.orthogonality).toHaveLength(3);
    }
  }, 300000);
});
