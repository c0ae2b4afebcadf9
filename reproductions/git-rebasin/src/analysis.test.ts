import { expandSweep, finishedRow, parseSweepFile, type ResultRow, type SweepJob } from '@weightspace/cli';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { widthFigure, widthRows, widthTable } from './analysis';

/**
 * The analysis on made-up curves for the default sweep's jobs, with a second seed pair: rows per
 * width and method in order, mean ± std over the pairs, every correction in the table and figure.
 */
const file = join(__dirname, '..', 'sweeps', 'default.json');
const settings = JSON.parse(readFileSync(file, 'utf8')) as { base: { pairs: number[][] } };
settings.base.pairs = [
  [0, 1],
  [2, 3],
];
const jobs = expandSweep(parseSweepFile(settings, file).cells);
const byId = new Map(jobs.map((job) => [job.id, job]));

/** A curve whose midpoint barrier encodes width, method and the first seed: 10·width + method + seed/10. */
function curveOf(job: SweepJob): ResultRow {
  const { align, correction } = job.inputs as { align: string; correction: string };
  const pair = byId.get(align)!.inputs as { a: string; method: string };
  const trained = byId.get(pair.a)!.inputs as unknown as { seed: number; config: { width: number } };
  const mid =
    10 * trained.config.width + ['none', 'weight', 'activation', 'ste'].indexOf(pair.method) + trained.seed / 10;
  const shift = correction === 'plain' ? 0 : correction === 'bn-reset' ? -1 : -2;
  const metrics = {
    barriers: { midpointLoss: mid + shift, loss: mid + shift + 0.5, accuracy: 0.1 },
    endpoints: { a: { accuracy: 0.8 + trained.seed / 100 }, b: { accuracy: 0.7 } },
  };
  return finishedRow(job, { metrics, seconds: 1, attempts: 1 });
}

describe('git-rebasin analysis', () => {
  const rows = widthRows(jobs, jobs.filter((j) => j.kind === 'evaluate').map(curveOf));

  it('one row per width and method, ordered by width then method, over both seed pairs', () => {
    expect(rows.map((r) => `${r.width}/${r.method}`)).toEqual(
      [1, 2, 4].flatMap((w) => ['none', 'weight', 'activation', 'ste'].map((m) => `${w}/${m}`)),
    );
    for (const r of rows) expect(r.pairs).toBe(2);
    const weight2 = rows.find((r) => r.width === 2 && r.method === 'weight')!;
    // Seeds 0 and 2: midpoints 21.0 and 21.2 plainly, one less after BN reset, two after REPAIR.
    expect(weight2.barriers.plain!.midpoint.mean).toBeCloseTo(21.1, 12);
    expect(weight2.barriers.plain!.midpoint.std).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    expect(weight2.barriers['bn-reset']!.midpoint.mean).toBeCloseTo(20.1, 12);
    expect(weight2.barriers.repair!.max.mean).toBeCloseTo(19.6, 12);
    expect(weight2.accuracyA.mean).toBeCloseTo(0.81, 12);
  });

  it('the table and the figure carry every correction', () => {
    const table = widthTable(rows);
    expect(table.split('\n')).toHaveLength(2 + rows.length);
    expect(table).toContain('| 2 | weight | 81.0 ± 1.4 / 70.0 | 21.100 ± 0.141 / 21.600 ± 0.141, 10.0 |');
    const svg = widthFigure(rows, 'title');
    for (const panel of ['plain', 'BN reset', 'REPAIR']) expect(svg).toContain(`>${panel}<`);
  });
});
