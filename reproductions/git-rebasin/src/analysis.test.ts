import {
  type AlignJobInputs,
  expandSweep,
  finishedRow,
  parseSweepFile,
  type ResultRow,
  type SweepJob,
} from '@weightspace/cli';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { methodKey, widthFigure, widthRows, widthTable } from './analysis';

/**
 * The analysis on made-up curves for the default sweep's jobs, with a second seed pair where the
 * sweep has one: rows per width and method in order, mean ± std over the pairs, every correction
 * in the table and figure.
 */
const file = join(__dirname, '..', 'sweeps', 'default.json');
const settings = JSON.parse(readFileSync(file, 'utf8')) as { base: { pairs: number[][] } };
settings.base.pairs = [
  [0, 1],
  [2, 3],
];
const jobs = expandSweep(parseSweepFile(settings, file).cells);
const byId = new Map(jobs.map((job) => [job.id, job]));
/** The default sweep's methods in the table's order: the weight-based ones with statistics matched and ignored. */
const ORDER = ['none', 'weight/match', 'weight/ignore', 'activation', 'ste/match', 'ste/ignore'];

/** A curve whose midpoint barrier encodes width, method and the first seed: 10·width + method + seed/10. */
function curveOf(job: SweepJob): ResultRow {
  const { align, correction } = job.inputs as { align: string; correction: string };
  const pair = byId.get(align)!.inputs as AlignJobInputs;
  const trained = byId.get(pair.a)!.inputs as unknown as { seed: number; config: { width: number } };
  const mid = 10 * trained.config.width + ORDER.indexOf(methodKey(pair)) + trained.seed / 10;
  const shift = correction === 'plain' ? 0 : correction === 'bn-reset' ? -1 : -2;
  const metrics = {
    barriers: { midpointLoss: mid + shift, loss: mid + shift + 0.5, accuracy: 0.1 },
    endpoints: { a: { accuracy: 0.8 + trained.seed / 100 }, b: { accuracy: 0.7 } },
  };
  return finishedRow(job, { metrics, seconds: 1, attempts: 1 });
}

describe('git-rebasin analysis', () => {
  const rows = widthRows(jobs, jobs.filter((j) => j.kind === 'evaluate').map(curveOf));

  it('one row per width and method (statistics matched and ignored apart), ordered by width then method, over both seed pairs', () => {
    expect(rows.map((r) => `${r.width}/${r.method}`)).toEqual([1, 2, 4].flatMap((w) => ORDER.map((m) => `${w}/${m}`)));
    // Widths 4 and 2 take the base's two pairs here; width 1 lists three of its own.
    for (const r of rows) expect(r.pairs).toBe(r.width === 1 ? 3 : 2);
    const weight2 = rows.find((r) => r.width === 2 && r.method === 'weight/ignore')!;
    // Seeds 0 and 2: midpoints 22.0 and 22.2 plainly, one less after BN reset, two after REPAIR.
    expect(weight2.barriers.plain!.midpoint.mean).toBeCloseTo(22.1, 12);
    expect(weight2.barriers.plain!.midpoint.std).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    expect(weight2.barriers['bn-reset']!.midpoint.mean).toBeCloseTo(21.1, 12);
    expect(weight2.barriers.repair!.max.mean).toBeCloseTo(20.6, 12);
    expect(weight2.accuracyA.mean).toBeCloseTo(0.81, 12);
  });

  it('the table and the figure carry every correction', () => {
    const table = widthTable(rows);
    expect(table.split('\n')).toHaveLength(2 + rows.length);
    expect(table).toContain(
      '| 2 | weight (stats ignored) | 81.0 ± 1.4 / 70.0 | 22.100 ± 0.141 / 22.600 ± 0.141, 10.0 |',
    );
    const svg = widthFigure(rows, 'title');
    for (const panel of ['plain', 'BN reset', 'REPAIR']) expect(svg).toContain(`>${panel}<`);
  });
});
