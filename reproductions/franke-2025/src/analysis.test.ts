import { expandSweep, finishedRow, readSweepFile, type ResultRow, type SweepJob } from '@weightspace/cli';
import { join } from 'node:path';
import { baseAtClean, matchedTable, mergeEntries, mergeTable, type Robustness } from './analysis';

/** The analysis on made-up reports for the default sweep's jobs: entries in order, the base mean. */
const file = join(__dirname, '..', 'sweeps', 'default.json');
const jobs = expandSweep(readSweepFile(file).cells);
const byId = new Map(jobs.map((job) => [job.id, job]));

/**
 * A report whose clean accuracy encodes the model: 0.9 + seed/100 + (epochs − 3)/10 for base
 * models, else 0.8 + k/100 + (first seed)/200 (+0.05 on Fashion-MNIST) for a merge of k models.
 * PGD-0.1 is clean/4 for base models and clean/2 for merges, so each merge is more robust than a
 * base model as accurate.
 */
function reportOf(job: SweepJob): Robustness {
  const model = byId.get((job.inputs as { model: string }).model)!;
  const fashion = (model.inputs as { dataset: string }).dataset === 'fashion-mnist' ? 0.05 : 0;
  const seedOf = (id: string) => (byId.get(id)!.inputs as { seed: number }).seed;
  const merged = (model.inputs as { models?: string[] }).models ?? [];
  const accuracy =
    model.kind === 'train'
      ? 0.9 + model.inputs.seed / 100 + (model.inputs.train.epochs - 3) / 10
      : 0.8 + merged.length / 100 + seedOf(merged[0]) / 200 + fashion;
  const pair = { '0.05': accuracy / 2, '0.1': model.kind === 'train' ? accuracy / 4 : accuracy / 2 };
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

  it('per dataset: base models by epochs and seed, then each size’s merges in method order, with their rounds', () => {
    const label = (e: (typeof entries)[number]) =>
      e.kind === 'base' ? `${e.dataset}/base/${e.epochs}/${e.seed}` : `${e.dataset}/${e.kind}/${e.models}`;
    const perDataset = (dataset: string) => [
      ...[1, 2].flatMap((epochs) => [0, 1, 2, 3].map((s) => `${dataset}/base/${epochs}/${s}`)),
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((s) => `${dataset}/base/3/${s}`),
      ...[
        [2, 4],
        [4, 2],
        [8, 1],
      ].flatMap(([k, sets]) =>
        ['average', 'mergemany', 'hierarchical'].flatMap((m) => Array<string>(sets).fill(`${dataset}/${m}/${k}`)),
      ),
    ];
    expect(entries.map(label)).toEqual([...perDataset('mnist'), ...perDataset('fashion-mnist')]);
    expect(entries.find((e) => e.kind === 'mergemany')).toMatchObject({ seconds: 2, rounds: 3, epochs: 3 });
  });

  it('the table starts each dataset with the base models’ means, the merged models’ budget first, then merges over their sets', () => {
    const lines = mergeTable(entries).split('\n');
    expect(lines).toHaveLength(2 + 2 * (3 + 9));
    // Seeds 0..7 at 3 epochs: mean clean accuracy 0.9 + 3.5/100; seeds 0..3 at 1 epoch 0.7 + 1.5/100.
    expect(lines[2]).toMatch(/^\| mnist \| base models, 3 epochs \(mean of 8\) \| 1 \| 93\.50 \| 46\.75 \|/);
    expect(lines[3]).toMatch(/^\| mnist \| base models, 1 epoch \(mean of 4\) \| 1 \| 71\.50 \|/);
    // The 2-model averages of seeds 0/1, 2/3, 4/5, 6/7: clean 0.82, 0.83, 0.84, 0.85.
    expect(lines[5]).toMatch(/^\| mnist \| average \| 2 \(4 sets\) \| 83\.50 ± 1\.12 \|/);
    expect(lines[13]).toMatch(/^\| mnist \| hierarchical \| 8 \| 88\.00 \|/);
    expect(lines[14]).toMatch(/^\| fashion-mnist \| base models, 3 epochs/);
  });

  it('compares each merge with base models as accurate as it, by interpolating between budgets', () => {
    // Base means (clean, PGD): 1 epoch (0.715, 0.17875), 2 epochs (0.815, 0.20375), 3 epochs (0.935, 0.23375).
    expect(baseAtClean(entries, 'mnist', 0.765, (r) => r.pgd['0.1'])).toBeCloseTo(0.19125, 12);
    expect(baseAtClean(entries, 'mnist', 0.99, (r) => r.pgd['0.1'])).toBeUndefined();
    const table = matchedTable(entries);
    // The 2-model averages on MNIST: clean c = 0.82…0.85, PGD c/2 against c/4 for base models as
    // accurate, so Δ = c/4: 20.875 ± 0.280 points over the four sets.
    expect(table).toContain(
      '| mnist | average | 2 (4 sets) | 83.50 ± 1.12 | 41.75 ± 0.56 | 20.88 ± 0.28 | +20.88 ± 0.28 |',
    );
    expect(table).toMatch(/\| mnist \| average \| 2 \(4 sets\) \|.*\| 4 of 4 \|/);
  });
});
