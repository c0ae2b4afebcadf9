import { expandSweep, finishedRow, readSweepFile, type ResultRow, type SweepJob } from '@weightspace/cli';
import { join } from 'node:path';
import { lim2024Analysis, mliRows, movedFraction, pairRows, pathShape } from './analysis';

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

  it('measures the shape of a path: its largest rise, monotone and convex', () => {
    expect(pathShape([2, 1, 0.5, 0.25])).toEqual({ delta: 0, monotone: true, convex: true });
    // Falls, rises by 0.3 (from 0.5 to 0.8), falls: not monotone, not convex at the bump.
    const bump = pathShape([2, 0.5, 0.8, 0.1]);
    expect([bump.delta, bump.monotone, bump.convex]).toEqual([expect.closeTo(0.3, 12), false, false]);
    // Monotone but concave at first (a plateau, then a drop).
    expect(pathShape([2, 1.9, 1.0, 0.5])).toEqual({ delta: 0, monotone: true, convex: false });
  });

  // Each curve's midpoint barrier encodes its network (arch), its pair, its correction and whether
  // it was aligned; a path from initialisation rises by seed/100 for W-asymmetric nets.
  const archs = ['mlp', 'mlp.w-asym', 'mlp.sigma-asym', 'resnet20', 'resnet20.w-asym', 'resnet20.sigma-asym'];
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const rows = jobs.map((job) => {
    if (job.kind === 'align' && job.inputs.options?.arch) {
      const seed = (byId.get(job.inputs.a)!.inputs as { seed: number }).seed;
      return rowOf(job, { groups: { h: seed === 0 ? [1, 0, 2, 3] : [0, 1, 2, 3] } });
    }
    if (job.kind !== 'evaluate') return rowOf(job, {});
    const align = byId.get(job.inputs.align)!.inputs as { a: string; method: string };
    const a = byId.get(align.a)!.inputs as { arch: string; seed: number; train: { epochs: number } };
    const value =
      archs.indexOf(a.arch) +
      a.seed / 10 +
      (align.method === 'none' ? 0 : 5) +
      (job.inputs.correction === 'bn-reset' ? 10 : 0);
    const rise = a.arch === 'mlp.w-asym' ? a.seed / 100 : 0;
    const points = [2.3, 0.5, 0.5 + rise, 0.4].map((loss, i) => ({ t: i / 3, loss }));
    const endpoints = { a: { accuracy: 0.9 }, b: { accuracy: 0.8 } };
    return rowOf(job, { barriers: { loss: value, midpointLoss: value, accuracy: value / 100 }, points, endpoints });
  });

  it('makes one row per network, correction and seed pair: naive, weight-matched and units moved', () => {
    const pairs = pairRows(jobs, rows);
    const seeds = ['0-1', '2-3', '4-5'];
    const networks = [
      'standard',
      'W-asym',
      'σ-asym',
      ...['', ' + BN reset'].flatMap((c) =>
        ['standard', 'W-asym', 'W-asym (κ 1)', 'σ-asym'].map((k) => `ResNet ${k}${c}`),
      ),
    ];
    expect(pairs.map((r) => r.key)).toEqual(networks.flatMap((n) => seeds.map((p) => `${n}/${p}`)));
    expect(pairs[1].naive!.midpoint).toBeCloseTo(0.2, 12);
    expect(pairs[1].aligned!.midpoint).toBeCloseTo(5.2, 12);
    expect(pairs.slice(0, 9).map((r) => r.movedByMatching)).toEqual([
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
    const standardReset = pairs.find((r) => r.key === 'ResNet standard + BN reset/2-3')!;
    expect([standardReset.naive!.midpoint, standardReset.aligned!.midpoint]).toEqual([
      expect.closeTo(13.2, 12),
      expect.closeTo(18.2, 12),
    ]);
    const { text, files } = lim2024Analysis({ sweep, cells, jobs, rows });
    expect(text).toContain('| W-asym, naive | 3 | 85.0 ± 0.0 | 1.2000 ± 0.1633 |');
    expect(text).toContain('| ResNet W-asym + BN reset, naive | 3 | 85.0 ± 0.0 | 14.2000 ± 0.1633 |');
    expect(text).toContain('| ResNet W-asym (κ 1) + BN reset, naive | 3 | 85.0 ± 0.0 | 14.2000 ± 0.1633 |');
    expect(text).toContain('moves 16.7 % of the hidden units (per pair: 50.0, 0.0, 0.0 %)');
    expect(Object.keys(files).sort()).toEqual(['asymmetric-resnet.svg', 'asymmetric.svg', 'mli.svg', 'table.md']);
  });

  it('reads each path from initialisation apart from the pairs: 10 seeds per network, monotone or not', () => {
    const paths = mliRows(jobs, rows);
    expect(paths.map((p) => `${p.kind}/${p.seed}`)).toEqual(
      ['standard', 'W-asym'].flatMap((k) => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => `${k}/${s}`)),
    );
    // Standard paths never rise; W-asym seed s rises by s/100 (seed 0: not at all).
    expect(paths.filter((p) => p.monotone)).toHaveLength(10 + 1);
    expect(paths.at(-1)!.delta).toBeCloseTo(0.09, 12);
    const { text } = lim2024Analysis({ sweep, cells, jobs, rows });
    expect(text).toContain('| standard | 10 | 10 of 10 |');
    expect(text).toContain('| W-asym | 10 | 1 of 10 |');
  });
});
