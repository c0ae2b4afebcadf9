import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resultSchemas, runReproductionScript } from '@weightspace/cli';
import { validateAgainst } from '@weightspace/core';
import type { Entry } from './analysis';

/**
 * The reproduction in its smallest configuration (`--smoke`), run as a user runs it: its sweep
 * trains four MLPs, merges two and four by each method and measures every model, each step in a
 * process of its own. Checks the files, the entries and the direction of the finding.
 */
describe('franke-2025 reproduction, smallest configuration', () => {
  it('aligned merges of 2 and 4 models keep more accuracy than averaging', async () => {
    const { out, result: written } = await runReproductionScript(join(__dirname, 'reproduce.ts'), ['--smoke']);
    for (const file of ['table.md', 'merge.svg', 'matched.svg', 'results.json', 'reproduction.json'])
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    const result = written as { rows: Entry[] };
    validateAgainst(resultSchemas.reproduction, result, 'reproduction.json');
    const entries = result.rows;
    expect(entries.map((e) => (e.kind === 'base' ? `base/${e.epochs}/${e.seed}` : `${e.kind}/${e.models}`))).toEqual([
      ...[1, 2].flatMap((epochs) => [0, 1, 2, 3].map((seed) => `base/${epochs}/${seed}`)),
      'average/2',
      'mergemany/2',
      'hierarchical/2',
      'average/4',
      'mergemany/4',
      'hierarchical/4',
    ]);
    const accuracy = (kind: string, k: number) =>
      entries.find((e) => e.kind === kind && e.models === k)!.report.clean.accuracy;
    for (const k of [2, 4]) {
      expect(accuracy('mergemany', k)).toBeGreaterThan(accuracy('average', k));
      expect(accuracy('hierarchical', k)).toBeGreaterThan(accuracy('average', k));
    }
    // MergeMany reports its rounds; averaging takes none.
    expect(entries.find((e) => e.kind === 'mergemany')!.rounds).toBeGreaterThan(0);
  }, 300000);
});
