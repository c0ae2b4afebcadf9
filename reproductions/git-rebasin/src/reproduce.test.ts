import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { WidthRow } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`), run as a user runs it: its sweep
 * trains, aligns and evaluates in processes of their own. Checks the files, the structure of the
 * results and the direction of the finding on this tiny budget.
 */
describe('git-rebasin reproduction, smallest configuration', () => {
  it('activation matching and BN reset each lower the barrier of a BatchNorm ResNet', async () => {
    const { out, result: written } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'resnet-barriers.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    const result = written as { rows: WidthRow[] };
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    expect(result.rows.map((r) => `${r.width}/${r.method}`)).toEqual(['1/none', '1/weight', '1/activation', '1/ste']);
    const [naive, , activation] = result.rows;
    expect(activation.barriers.plain!.max.mean).toBeLessThan(naive.barriers.plain!.max.mean);
    expect(naive.barriers['bn-reset']!.midpoint.mean).toBeLessThan(naive.barriers.plain!.midpoint.mean);
  }, 300000);
});
