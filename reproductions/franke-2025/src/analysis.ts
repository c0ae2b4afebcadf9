import type {
  MergeJobInputs,
  ReproductionAnalysis,
  ReproductionInput,
  ResultRow,
  RobustnessJobInputs,
  SweepJob,
} from '@weightspace/cli';
import { markdownTable } from '@weightspace/cli';
import { linePlotSvg } from '@weightspace/core';

/** The merge methods, in the order the table lists them. */
export const METHODS = ['average', 'mergemany', 'hierarchical'] as const;

/** What `weightspace robustness` reports of a model (the fields the table uses). */
export interface Robustness {
  clean: { accuracy: number };
  fgsm: Record<string, number>;
  pgd: Record<string, number>;
  noise: Record<string, number>;
  weightL2: number;
  lipschitzUpperBound: number;
  logits: { meanStd: number };
}

/** One measured model: a base model (one seed) or a merge of the first `models` seeds. */
export interface Entry {
  kind: 'base' | (typeof METHODS)[number];
  /** The base model's seed, or how many models were merged. */
  seed?: number;
  models: number;
  /** Merges: the seconds and rounds merging took. */
  seconds?: number;
  rounds?: number;
  report: Robustness;
}

/** The sweep's robustness rows as entries: base models by seed, then merges by size and method. */
export function mergeEntries(jobs: readonly SweepJob[], rows: readonly ResultRow[]): Entry[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const resultOf = new Map(rows.filter((r) => r.status === 'done').map((r) => [r.id, r.metrics]));
  const entries: Entry[] = [];
  for (const row of rows) {
    if (row.kind !== 'robustness' || row.status !== 'done') continue;
    const model = byId.get((row.inputs as RobustnessJobInputs).model);
    const report = row.metrics as unknown as Robustness;
    if (model?.kind === 'train') {
      entries.push({ kind: 'base', seed: model.inputs.seed, models: 1, report });
    } else if (model?.kind === 'merge') {
      const { method, models } = model.inputs as MergeJobInputs;
      const merged = resultOf.get(model.id) as { seconds?: number; rounds?: number } | undefined;
      entries.push({
        kind: method,
        models: models.length,
        ...(merged ? { seconds: merged.seconds, rounds: merged.rounds } : {}),
        report,
      });
    }
  }
  // Base models by seed first, then merges by size, each size in METHODS' order.
  const key = (e: Entry) => (e.kind === 'base' ? [0, e.seed ?? 0, 0] : [1, e.models, METHODS.indexOf(e.kind)]);
  return entries.sort((x, y) => {
    const [kx, ky] = [key(x), key(y)];
    return kx[0] - ky[0] || kx[1] - ky[1] || kx[2] - ky[2];
  });
}

const HEADER = [
  'merge',
  'models',
  'clean %',
  'FGSM .05',
  'FGSM .1',
  'PGD .05',
  'PGD .1',
  'noise .1',
  'noise .3',
  'PGD.1/clean',
  '‖θ‖₂',
  'Lipschitz ≤',
  'logit std',
];

/** The table: the base models' mean, then every merge, with accuracies in percent. */
export function mergeTable(entries: readonly Entry[]): string {
  const base = entries.filter((e) => e.kind === 'base');
  const pct = (v: number) => (v * 100).toFixed(2);
  const line = (label: string, k: string, of: (f: (r: Robustness) => number) => number) => [
    label,
    k,
    pct(of((x) => x.clean.accuracy)),
    pct(of((x) => x.fgsm['0.05'])),
    pct(of((x) => x.fgsm['0.1'])),
    pct(of((x) => x.pgd['0.05'])),
    pct(of((x) => x.pgd['0.1'])),
    pct(of((x) => x.noise['0.1'])),
    pct(of((x) => x.noise['0.3'])),
    of((x) => x.pgd['0.1'] / x.clean.accuracy).toFixed(3),
    of((x) => x.weightL2).toFixed(2),
    of((x) => x.lipschitzUpperBound).toExponential(2),
    of((x) => x.logits.meanStd).toFixed(2),
  ];
  const lines = base.length
    ? [
        line(
          `base models (mean of ${base.length})`,
          '1',
          (f) => base.reduce((s, e) => s + f(e.report), 0) / base.length,
        ),
      ]
    : [];
  for (const e of entries) if (e.kind !== 'base') lines.push(line(e.kind, String(e.models), (f) => f(e.report)));
  return markdownTable(HEADER, lines);
}

/** Clean and PGD accuracy, weight norm and Lipschitz bound against the number of models merged. */
export function mergeFigure(entries: readonly Entry[]): string {
  const series = (metric: (r: Robustness) => number) =>
    METHODS.map((method) => {
      const mine = entries.filter((e) => e.kind === method);
      return { name: method, xs: mine.map((e) => e.models), ys: mine.map((e) => metric(e.report)) };
    });
  const xLabel = 'models merged';
  return linePlotSvg(
    [
      { title: 'clean test accuracy', xLabel, yLabel: 'accuracy (%)', series: series((r) => r.clean.accuracy * 100) },
      { title: 'PGD-10 accuracy, ε = 0.1', xLabel, yLabel: 'accuracy (%)', series: series((r) => r.pgd['0.1'] * 100) },
      { title: 'weight norm', xLabel, yLabel: '‖θ‖₂', series: series((r) => r.weightL2) },
      {
        title: 'Lipschitz upper bound',
        xLabel,
        yLabel: 'log10 Π σ_max',
        series: series((r) => Math.log10(r.lipschitzUpperBound)),
      },
    ],
    'Merging MNIST MLPs: naive average vs MergeMany vs hierarchical re-basin',
  );
}

/** The reproduction's analysis: table.md and merge.svg from the sweep's rows. */
export function franke2025Analysis(input: ReproductionInput): ReproductionAnalysis {
  const entries = mergeEntries(input.jobs, input.rows);
  const cell = input.cells[0];
  const settings = cell.robustness ?? {};
  const note = [
    `MLPs 784-${(cell.config.hidden as number[]).join('-')}-10 on MNIST, ${cell.train.epochs} epochs (Adam ${cell.train.learningRate}, batch ${cell.train.batchSize}${cell.train.trainLimit ? `, first ${cell.train.trainLimit} training images` : ''}), seeds 0 to ${Math.max(...(cell.merges?.sets.flat() ?? [0]))};`,
    `merges by ${cell.merges?.matcher ?? 'weight'} matching; clean accuracy on ${cell.testLimit ?? 'all 10,000'} test images, attacks (${settings.pgdSteps ?? 10} PGD steps) and noise on the first ${settings.attackLimit ?? 'all'}.`,
  ].join(' ');
  const text = `${mergeTable(entries)}\n\n${note}\n`;
  return { rows: entries, text, files: { 'table.md': text, 'merge.svg': mergeFigure(entries) } };
}
