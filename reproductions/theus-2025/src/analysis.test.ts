import { expandSweep, finishedRow, readSweepFile, type ResultRow, type SweepJob } from '@weightspace/cli';
import { join } from 'node:path';
import { HALF_WIDTH, METHODS, methodOf, methodRows, theus2025Analysis } from './analysis';

/** The full sweep's jobs (every row of the table), each with a made-up finished row. */
const file = join(__dirname, '..', 'sweeps', 'full.json');
const { sweep, cells } = readSweepFile(file);
const jobs = expandSweep(cells);

/** The row of `job` finished with `metrics`. */
function rowOf(job: SweepJob, metrics: Record<string, unknown>): ResultRow {
  return finishedRow(job, { metrics, seconds: 1, attempts: 1 });
}

describe('theus-2025 analysis', () => {
  it('names every alignment of the sweep by the table’s methods, each method once per pair', () => {
    const names = jobs.flatMap((j) => (j.kind === 'align' ? [methodOf(j.inputs)] : []));
    expect(names).not.toContain(undefined);
    // Two same-width pairs with every method, the half-width pair with five, the three wider pairs
    // (GPT and ViT at d 128, GPT at d 256) and the GPT pair trained on 1,000 windows with vanilla
    // averaging, weight and learned matching, and the wider GPT pairs' long learned matchings.
    expect(names).toHaveLength(2 * METHODS.length + 5 + 4 * 3 + 2);
    expect(new Set(names)).toEqual(new Set(METHODS));
    expect(methodOf({ a: 'a', b: 'b', method: 'weight', dataset: 'd', options: { form: 'original' } })).toBeUndefined();
    // `align` matches in the canonical form unless told otherwise.
    expect(methodOf({ a: 'a', b: 'b', method: 'learned', dataset: 'd' })).toBe('learned matching (full)');
    // More steps than the matcher's default make the "long training" row.
    expect(methodOf({ a: 'a', b: 'b', method: 'learned', dataset: 'd', options: { steps: 4000 } })).toBe(
      'learned matching (full), long training',
    );
  });

  it('makes one row per pair and method, with its curve, its matching time and the paper’s barrier', () => {
    // Each curve's barrier is the index of its method; the alignment's matcher time 10 × that.
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const rows = jobs.map((job) => {
      if (job.kind === 'align') return rowOf(job, { seconds: 10 * METHODS.indexOf(methodOf(job.inputs)!) });
      if (job.kind !== 'evaluate') return rowOf(job, {});
      // A training-loss barrier is a quarter more than the test barrier of its alignment.
      const onTrain = job.inputs.metric === 'train-barrier' ? 1.25 : 1;
      const value = METHODS.indexOf(methodOf(byId.get(job.inputs.align)!.inputs as never)!) * onTrain;
      const points = [0, 0.5, 1].map((t) => ({ t, loss: t === 0.5 ? 2 + value : 2, accuracy: 0.5 }));
      return rowOf(job, { points, barriers: { loss: value, accuracy: 0 } });
    });
    const table = methodRows(jobs, rows);
    expect(table.map((r) => r.model)).toEqual([
      ...Array(3).fill('gpt, 1000 windows'),
      ...Array(5).fill(HALF_WIDTH),
      ...Array(4).fill('gpt, d 128'),
      ...Array(4).fill('gpt, d 256'),
      ...Array(METHODS.length).fill('gpt'),
      ...Array(3).fill('vit, d 128'),
      ...Array(METHODS.length).fill('vit'),
    ]);
    expect(table.slice(16, 16 + METHODS.length).map((r) => r.method)).toEqual([...METHODS]);
    for (const wider of [table.slice(8, 12), table.slice(12, 16)]) {
      expect(wider.map((r) => r.method)).toEqual([
        'vanilla averaging',
        'weight matching, canonical form, orthogonal stream',
        'learned matching (full)',
        'learned matching (full), long training',
      ]);
    }
    // The training-loss barriers join their alignments' rows: the 1,000-window pair's three and the
    // long learned matchings of the whole-data GPTs (d 64, 128 and 256) and ViT.
    const onTrain = table.filter((r) => r.trainBarrier !== undefined);
    expect(onTrain.map((r) => `${r.model}: ${r.method}`)).toEqual([
      'gpt, 1000 windows: vanilla averaging',
      'gpt, 1000 windows: weight matching, canonical form, orthogonal stream',
      'gpt, 1000 windows: learned matching (full)',
      'gpt, d 128: learned matching (full), long training',
      'gpt, d 256: learned matching (full), long training',
      'gpt: learned matching (full), long training',
      'vit: learned matching (full), long training',
    ]);
    for (const row of onTrain) expect(row.trainBarrier).toBe(1.25 * row.barrier);
    for (const row of table) {
      expect(row.barrier).toBe(METHODS.indexOf(row.method));
      expect(row.midpointLoss).toBe(2 + row.barrier);
      expect(row.matchingSeconds).toBe(10 * row.barrier);
    }
    const { text } = theus2025Analysis({ sweep, cells, jobs, rows });
    expect(text).toContain('| vit | learned matching (full) | 6.000 | 8.000 | 2.000 / 2.000 | — | 0.000 | 60.0 |');
    expect(text).toContain(
      '| gpt, 1000 windows | learned matching (full) | 6.000 | 8.000 | 2.000 / 2.000 | 7.500 | 0.020 | 60.0 |',
    );
    // A wider pair takes its architecture's paper column and a panel titled with its width.
    expect(text).toContain(
      '| vit, d 128 | learned matching (full) | 6.000 | 8.000 | 2.000 / 2.000 | — | 0.000 | 60.0 |',
    );
    expect(text).toContain(
      '| gpt, d 128 | learned matching (full) | 6.000 | 8.000 | 2.000 / 2.000 | — | 0.020 | 60.0 |',
    );
    const { files } = theus2025Analysis({ sweep, cells, jobs, rows });
    expect(files['transformers.svg']).toContain('ViT, Fashion-MNIST, d 128');
    expect(files['transformers.svg']).toContain('character GPT, Moby-Dick, first 1000 windows');
    // The width figure: both architectures, d 64 against d 128 (and d 256 for the GPT), the
    // target dashed.
    expect(files['widths.svg']).toContain('d 128');
    expect(files['widths.svg']).toContain('d 256');
    expect(files['widths.svg']).toContain('target 0.05');
    expect(files['widths.svg']).toContain('character GPT, Moby-Dick');
    expect(text).toContain(
      '| gpt, B at half width | learned matching (full) | 6.000 | 8.000 | 2.000 / 2.000 | — | ≈ 0 (Fig. 3c) | 60.0 |',
    );
  });

  it('labels pairs by architecture alone where the sweep trains one width of it (the smoke sweep’s tiny models)', () => {
    const smoke = readSweepFile(join(__dirname, '..', 'sweeps', 'smoke.json'));
    const smokeJobs = expandSweep(smoke.cells);
    const points = [0, 0.5, 1].map((t) => ({ t, loss: 1, accuracy: 0.5 }));
    const rows = smokeJobs.map((job) =>
      rowOf(job, job.kind === 'evaluate' ? { points, barriers: { loss: 0, accuracy: 0 } } : {}),
    );
    expect(new Set(methodRows(smokeJobs, rows).map((r) => r.model))).toEqual(new Set(['gpt', 'vit', HALF_WIDTH]));
    expect(theus2025Analysis({ ...smoke, jobs: smokeJobs, rows }).files['widths.svg']).toBeUndefined();
  });
});
