import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { WidthRow } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`), run as a user runs it: widths 32 and
 * 64 at both weight decays, each pair measured by `weightspace lewc` in a process of its own.
 * Checks the files, the rows and the direction of the finding on this tiny budget.
 */
describe('ito-2025 reproduction, smallest configuration', () => {
  it('temperature calibration lowers every raw loss barrier, and every layer reports LEWC and orthogonality', async () => {
    const { out, result } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'width.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    const rows = result.rows as WidthRow[];
    expect(rows.map((r) => `w${r.width}/wd${r.weightDecay}`)).toEqual([
      'w32/wd0.003',
      'w32/wd0.0001',
      'w64/wd0.003',
      'w64/wd0.0001',
    ]);
    for (const row of rows) {
      expect(row.calibratedLossBarrier).toBeLessThan(row.lossBarrier);
      expect(row.midpointBeta).toBeGreaterThan(0);
      expect(row.lewcCosine).toHaveLength(5);
      expect(row.orthogonality).toHaveLength(3);
    }
  }, 300000);
});
