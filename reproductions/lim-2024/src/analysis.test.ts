import { expandSweep, finishedRow, readSweepFile, type ResultRow, type SweepJob } from '@weightspace/cli';
import { join } from 'node:path';
import { lim2024Analysis, movedFraction, pairRows } from './analysis';

/** The default sweep's jobs, each with a made-up finished row. */
const file = join(__dirname, '..', 'sweeps', 'default.json');
const { sweep, cells } = readSweepFile(file);
const jobs = expandSweep(cells);

/** The row of `job` finished with `metrics`. */
function rowOf(job: SweepJob, metrics: Record<string, unknown>): ResultRow {
  return finishedRow(job, { metrics, seconds: 1, attempts: 1 });
}

describe('lim-2024 analysis', () => {
  it('counts the units a permutation moves, over every permutation group', () => {
    // As `weightspace align` writes them: permutations as index arrays, matrices as rows (not counted).
    expect(movedFraction({ groups: { a: [0, 1, 2, 3] } })).toBe(0);
    expect(
      movedFraction({
        groups: {
          a: [1, 0, 2, 3],
          b: [0, 1, 3, 2],
          m: [
            [0, 1],
            [1, 0],
          ],
        },
      }),
    ).toBe(0.5);
  });

  it('makes one row per network and seed pair: naive, weight-matched and units moved', () => {
    // Each curve's midpoint barrier encodes its network (arch), its pair and whether it was aligned.
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const rows = jobs.map((job) => {
      if (job.kind === 'align' && job.inputs.options?.arch) {
        const seed = (byId.get(job.inputs.a)!.inputs as { seed: number }).seed;
        return rowOf(job, { groups: { h: seed === 0 ? [1, 0, 2, 3] : [0, 1, 2, 3] } });
      }
      if (job.kind !== 'evaluate') return rowOf(job, {});
      const align = byId.get(job.inputs.align)!.inputs as { a: string; method: string };
      const a = byId.get(align.a)!.inputs as { arch: string; seed: number };
      const value =
        ['mlp', 'mlp.w-asym', 'mlp.sigma-asym'].indexOf(a.arch) + a.seed / 10 + (align.method === 'none' ? 0 : 5);
      return rowOf(job, { barriers: { loss: value, midpointLoss: value, accuracy: value / 100 } });
    });
    const pairs = pairRows(jobs, rows);
    expect(pairs.map((r) => r.key)).toEqual([
      'standard/0-1',
      'standard/2-3',
      'standard/4-5',
      'W-asym/0-1',
      'W-asym/2-3',
      'W-asym/4-5',
      'σ-asym/0-1',
      'σ-asym/2-3',
      'σ-asym/4-5',
    ]);
    expect(pairs[1].naive!.midpoint).toBeCloseTo(0.2, 12);
    expect(pairs[1].aligned!.midpoint).toBeCloseTo(5.2, 12);
    expect(pairs.map((r) => r.movedByMatching)).toEqual([
      undefined,
      undefined,
      undefined,
      0.5,
      0,
      0,
      undefined,
      undefined,
      undefined,
    ]);
    const { text } = lim2024Analysis({ sweep, cells, jobs, rows });
    expect(text).toContain('| W-asym, naive | 3 | 1.2000 ± 0.1633 |');
    expect(text).toContain('moves 16.7 % of the hidden units (per pair: 50.0, 0.0, 0.0 %)');
  });
});
