import { expandSweep, finishedRow, readSweepFile, type ResultRow, type SweepJob } from '@weightspace/cli';
import { join } from 'node:path';
import { mergeEntries, mergeTable, type Robustness } from './analysis';

/** The analysis on made-up reports for the default sweep's jobs: entries in order, the base mean. */
const file = join(__dirname, '..', 'sweeps', 'default.json');
const jobs = expandSweep(readSweepFile(file).cells);
const byId = new Map(jobs.map((job) => [job.id, job]));

/** A report whose clean accuracy encodes the model: 0.9 + seed/100 for base models, else 0.5 + k/100. */
function reportOf(job: SweepJob): Robustness {
  const model = byId.get((job.inputs as { model: string }).model)!;
  const accuracy =
    model.kind === 'train'
      ? 0.9 + model.inputs.seed / 100
      : 0.5 + (model.inputs as { models: string[] }).models.length / 100;
  const pair = { '0.05': accuracy / 2, '0.1': accuracy / 4 };
  return {
    clean: { accuracy },
    fgsm: pair,
    pgd: pair,
    noise: { '0.1': accuracy, '0.3': accuracy / 2 },
    weightL2: 10,
    lipschitzUpperBound: 1000,
    logits: { meanStd: 2 },
  };
}

const done = (job: SweepJob, metrics: object): ResultRow =>
  finishedRow(job, { metrics: metrics as Record<string, unknown>, seconds: 1, attempts: 1 });

describe('franke-2025 analysis', () => {
  const rows = jobs.flatMap((job) =>
    job.kind === 'robustness'
      ? [done(job, reportOf(job))]
      : job.kind === 'merge'
        ? [done(job, { seconds: 2, rounds: 3 })]
        : [],
  );
  const entries = mergeEntries(jobs, rows);

  it('lists the 8 base models by seed, then each size’s merges in method order, with their rounds', () => {
    expect(entries.map((e) => (e.kind === 'base' ? `base/${e.seed}` : `${e.kind}/${e.models}`))).toEqual([
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((s) => `base/${s}`),
      ...[2, 4, 8].flatMap((k) => ['average', 'mergemany', 'hierarchical'].map((m) => `${m}/${k}`)),
    ]);
    expect(entries.find((e) => e.kind === 'mergemany')).toMatchObject({ seconds: 2, rounds: 3 });
  });

  it('the table starts with the mean of the base models', () => {
    const lines = mergeTable(entries).split('\n');
    expect(lines).toHaveLength(2 + 1 + 9);
    // Seeds 0..7: mean clean accuracy 0.9 + 3.5/100.
    expect(lines[2]).toMatch(/^\| base models \(mean of 8\) \| 1 \| 93\.50 \| 46\.75 \|/);
    expect(lines[3]).toMatch(/^\| average \| 2 \| 52\.00 \|/);
  });
});
