import type {
  MergeJobInputs,
  ReproductionAnalysis,
  ReproductionInput,
  ResultRow,
  RobustnessJobInputs,
  SweepJob,
} from '@weightspace/cli';
import { markdownTable } from '@weightspace/cli';
import { linePlotSvg, meanStd } from '@weightspace/core';

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
  dataset: string;
  /** The training epochs of the model, or of the models merged. */
  epochs: number;
  /** The base model's seed, or how many models were merged. */
  seed?: number;
  models: number;
  /** Merges: the seconds and rounds merging took. */
  seconds?: number;
  rounds?: number;
  report: Robustness;
}

/**
 * The sweep's robustness rows as entries: per dataset (in the sweep's order), base models by
 * training epochs and seed, then merges by size and method.
 */
export function mergeEntries(jobs: readonly SweepJob[], rows: readonly ResultRow[]): Entry[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const resultOf = new Map(rows.filter((r) => r.status === 'done').map((r) => [r.id, r.metrics]));
  const trainingOf = (id: string) => (byId.get(id) as Extract<SweepJob, { kind: 'train' }>).inputs;
  const entries: Entry[] = [];
  for (const row of rows) {
    if (row.kind !== 'robustness' || row.status !== 'done') continue;
    const model = byId.get((row.inputs as RobustnessJobInputs).model);
    const report = row.metrics as unknown as Robustness;
    if (model?.kind === 'train') {
      const { dataset, seed, train } = model.inputs;
      entries.push({ kind: 'base', dataset, epochs: train.epochs, seed, models: 1, report });
    } else if (model?.kind === 'merge') {
      const { method, models, dataset } = model.inputs as MergeJobInputs;
      const merged = resultOf.get(model.id) as { seconds?: number; rounds?: number } | undefined;
      entries.push({
        kind: method,
        dataset,
        epochs: trainingOf(models[0]).train.epochs,
        models: models.length,
        ...(merged ? { seconds: merged.seconds, rounds: merged.rounds } : {}),
        report,
      });
    }
  }
  const datasets = [
    ...new Set(jobs.filter((j) => j.kind === 'train').map((j) => (j.inputs as { dataset: string }).dataset)),
  ];
  const key = (e: Entry) => [
    datasets.indexOf(e.dataset),
    e.kind === 'base' ? 0 : 1,
    e.kind === 'base' ? e.epochs : e.models,
    e.kind === 'base' ? (e.seed ?? 0) : METHODS.indexOf(e.kind),
  ];
  return entries.sort((x, y) => {
    const [kx, ky] = [key(x), key(y)];
    const first = kx.findIndex((v, i) => v !== ky[i]);
    return first < 0 ? 0 : kx[first] - ky[first];
  });
}

/** The datasets of the entries, in order. */
const datasetsOf = (entries: readonly Entry[]) => [...new Set(entries.map((e) => e.dataset))];
/** The epochs the merged models were trained for on a dataset: the budget of its main base models. */
const mergedEpochs = (entries: readonly Entry[], dataset: string) =>
  entries.find((e) => e.dataset === dataset && e.kind !== 'base')?.epochs ??
  Math.max(...entries.filter((e) => e.dataset === dataset).map((e) => e.epochs));

/** The base models of a dataset grouped by training epochs, each group's mean report (fields the tables use). */
function baseMeans(
  entries: readonly Entry[],
  dataset: string,
): Array<{ epochs: number; count: number; mean: (f: (r: Robustness) => number) => number }> {
  const base = entries.filter((e) => e.dataset === dataset && e.kind === 'base');
  return [...new Set(base.map((e) => e.epochs))].map((epochs) => {
    const mine = base.filter((e) => e.epochs === epochs);
    return { epochs, count: mine.length, mean: (f) => mine.reduce((s, e) => s + f(e.report), 0) / mine.length };
  });
}

const HEADER = [
  'dataset',
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

/** A dataset's merges grouped by method and size: every set of that size merged by that method. */
export function mergeGroups(
  entries: readonly Entry[],
  dataset: string,
): Array<{ kind: Entry['kind']; models: number; members: Entry[] }> {
  const groups = new Map<string, { kind: Entry['kind']; models: number; members: Entry[] }>();
  for (const e of entries) {
    if (e.dataset !== dataset || e.kind === 'base') continue;
    const key = `${e.kind}/${e.models}`;
    const group = groups.get(key) ?? { kind: e.kind, models: e.models, members: [] };
    group.members.push(e);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const pct = (v: number) => (v * 100).toFixed(2);
/** Mean ± population std in percent, the mean alone for one value. */
const pctSpread = (values: readonly number[]) => {
  const { mean, std } = meanStd([...values]);
  return values.length > 1 ? `${pct(mean)} ± ${pct(std)}` : pct(mean);
};
/** How many sets a merge line averages, as the models column shows it: `4 (2 sets)`. */
const sizeLabel = (models: number, sets: number) => (sets > 1 ? `${models} (${sets} sets)` : String(models));

/**
 * The table: per dataset, the mean of the base models at each training budget (the merged models'
 * first), then each method and size over the disjoint sets merged that way (clean accuracy mean ±
 * std over the sets, the rest means), with accuracies in percent.
 */
export function mergeTable(entries: readonly Entry[]): string {
  const line = (
    dataset: string,
    label: string,
    k: string,
    of: (f: (r: Robustness) => number) => number,
    clean = pct(of((x) => x.clean.accuracy)),
  ) => [
    dataset,
    label,
    k,
    clean,
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
  const lines: string[][] = [];
  for (const dataset of datasetsOf(entries)) {
    const main = mergedEpochs(entries, dataset);
    const budgets = baseMeans(entries, dataset).sort(
      (x, y) => Number(y.epochs === main) - Number(x.epochs === main) || x.epochs - y.epochs,
    );
    for (const b of budgets)
      lines.push(
        line(dataset, `base models, ${b.epochs} epoch${b.epochs === 1 ? '' : 's'} (mean of ${b.count})`, '1', b.mean),
      );
    for (const { kind, models, members } of mergeGroups(entries, dataset)) {
      const of = (f: (r: Robustness) => number) => members.reduce((sum, e) => sum + f(e.report), 0) / members.length;
      const clean = pctSpread(members.map((e) => e.report.clean.accuracy));
      lines.push(line(dataset, kind, sizeLabel(models, members.length), of, clean));
    }
  }
  return markdownTable(HEADER, lines);
}

/** The robust accuracies compared at matched clean accuracy. */
const ROBUST = [
  { name: 'FGSM .1', of: (r: Robustness) => r.fgsm['0.1'] },
  { name: 'PGD .1', of: (r: Robustness) => r.pgd['0.1'] },
  { name: 'noise .3', of: (r: Robustness) => r.noise['0.3'] },
] as const;

/**
 * The base models' robust accuracy at a clean accuracy: piecewise linear between the mean
 * (clean, robust) points of their training budgets, ordered by clean accuracy; undefined outside
 * the range they span (no extrapolation).
 */
export function baseAtClean(
  entries: readonly Entry[],
  dataset: string,
  clean: number,
  robust: (r: Robustness) => number,
): number | undefined {
  const points = baseMeans(entries, dataset)
    .map((b) => ({ x: b.mean((r) => r.clean.accuracy), y: b.mean(robust) }))
    .sort((p, q) => p.x - q.x);
  for (let i = 0; i + 1 < points.length; i++) {
    const [p, q] = [points[i], points[i + 1]];
    if (clean >= p.x && clean <= q.x)
      return q.x === p.x ? (p.y + q.y) / 2 : p.y + ((clean - p.x) / (q.x - p.x)) * (q.y - p.y);
  }
  return points.length === 1 && points[0].x === clean ? points[0].y : undefined;
}

/**
 * Robustness at matched clean accuracy: for each method and size, its robust accuracies beside
 * those of the base models at the same clean accuracy (`baseAtClean`: base models trained for
 * fewer epochs are less accurate, so each merge is compared with a base model as accurate as it
 * is, not with the better-trained ones it came from) and the difference in points, mean ± std over
 * the sets whose clean accuracy the base models span (`n of m` says how many); '–' for none.
 */
export function matchedTable(entries: readonly Entry[]): string {
  const header = [
    'dataset',
    'merge',
    'models',
    'clean %',
    ...ROBUST.flatMap((r) => [`${r.name}: merge`, 'base at same clean', 'Δ (pts)']),
    'sets compared',
  ];
  const lines = datasetsOf(entries).flatMap((dataset) =>
    mergeGroups(entries, dataset).map(({ kind, models, members }) => {
      const compared = members.filter(
        (e) => baseAtClean(entries, dataset, e.report.clean.accuracy, ROBUST[0].of) !== undefined,
      );
      return [
        dataset,
        kind,
        sizeLabel(models, members.length),
        pctSpread(members.map((e) => e.report.clean.accuracy)),
        ...ROBUST.flatMap((r) => {
          if (!compared.length) return [pctSpread(members.map((e) => r.of(e.report))), '–', '–'];
          const base = compared.map((e) => baseAtClean(entries, dataset, e.report.clean.accuracy, r.of)!);
          const deltas = compared.map((e, i) => r.of(e.report) - base[i]);
          const { mean, std } = meanStd(deltas);
          const sign = mean >= 0 ? '+' : '';
          return [
            pctSpread(compared.map((e) => r.of(e.report))),
            pctSpread(base),
            deltas.length > 1 ? `${sign}${pct(mean)} ± ${pct(std)}` : `${sign}${pct(mean)}`,
          ];
        }),
        `${compared.length} of ${members.length}`,
      ];
    }),
  );
  return markdownTable(header, lines);
}

/** Per dataset: clean and PGD accuracy and weight norm against the number of models merged (mean ± std over sets). */
export function mergeFigure(entries: readonly Entry[]): string {
  const xLabel = 'models merged';
  const panels = datasetsOf(entries).flatMap((dataset) => {
    // Each method and size: the mean over its sets, ± their std.
    const groups = mergeGroups(entries, dataset);
    const series = (metric: (r: Robustness) => number) =>
      METHODS.map((method) => {
        const mine = groups
          .filter((g) => g.kind === method)
          .map((g) => meanStd(g.members.map((e) => metric(e.report))));
        return {
          name: method,
          xs: groups.filter((g) => g.kind === method).map((g) => g.models),
          ys: mine.map((m) => m.mean),
          errors: mine.map((m) => m.std),
        };
      });
    return [
      {
        title: `${dataset}: clean accuracy`,
        xLabel,
        yLabel: 'accuracy (%)',
        series: series((r) => r.clean.accuracy * 100),
      },
      {
        title: `${dataset}: PGD-10, ε = 0.1`,
        xLabel,
        yLabel: 'accuracy (%)',
        series: series((r) => r.pgd['0.1'] * 100),
      },
      { title: `${dataset}: weight norm`, xLabel, yLabel: '‖θ‖₂', series: series((r) => r.weightL2) },
    ];
  });
  return linePlotSvg(panels, 'Merging MLPs: naive average vs MergeMany vs hierarchical re-basin', { columns: 3 });
}

/**
 * Per dataset, PGD-0.1 accuracy against clean accuracy: the base models along their training
 * budgets (a line through the budgets' means) and each aligned merge as a point, so a merge above
 * the line is more robust than a base model as accurate as it is.
 */
export function matchedFigure(entries: readonly Entry[]): string {
  const panels = datasetsOf(entries).map((dataset) => {
    const budgets = baseMeans(entries, dataset).sort(
      (x, y) => x.mean((r) => r.clean.accuracy) - y.mean((r) => r.clean.accuracy),
    );
    const merges = (['mergemany', 'hierarchical'] as const).map((method) => {
      const mine = entries.filter((e) => e.dataset === dataset && e.kind === method);
      return {
        name: `${method} (2, 4, 8, … models)`,
        xs: mine.map((e) => e.report.clean.accuracy * 100),
        ys: mine.map((e) => e.report.pgd['0.1'] * 100),
        markersOnly: true,
      };
    });
    return {
      title: `${dataset}: PGD-10 (ε = 0.1) vs clean accuracy`,
      xLabel: 'clean accuracy (%)',
      yLabel: 'PGD accuracy (%)',
      series: [
        {
          name: 'base models by epochs trained',
          xs: budgets.map((b) => b.mean((r) => r.clean.accuracy) * 100),
          ys: budgets.map((b) => b.mean((r) => r.pgd['0.1']) * 100),
        },
        ...merges,
      ],
    };
  });
  return linePlotSvg(panels, 'Robustness at matched clean accuracy: merges against base models trained less');
}

/** The reproduction's analysis: table.md, merge.svg and matched.svg from the sweep's rows. */
export function franke2025Analysis(input: ReproductionInput): ReproductionAnalysis {
  const entries = mergeEntries(input.jobs, input.rows);
  const merging = input.cells.find((c) => c.merges) ?? input.cells[0];
  const settings = merging.robustness ?? {};
  const budgets = [...new Set(input.cells.map((c) => c.train.epochs))].sort((x, y) => x - y);
  const datasets = [...new Set(input.cells.map((c) => c.dataset))];
  const note = [
    `MLPs 784-${(merging.config.hidden as number[]).join('-')}-10 on ${datasets.join(' and ')}, ${merging.train.epochs} epochs (Adam ${merging.train.learningRate}, batch ${merging.train.batchSize}${merging.train.trainLimit ? `, first ${merging.train.trainLimit} training images` : ''}), seeds 0 to ${Math.max(...(merging.merges?.sets.flat() ?? [0]))};`,
    `merges by ${merging.merges?.matcher ?? 'weight'} matching; base models also trained ${budgets.join(', ')} epochs for the comparison at matched clean accuracy;`,
    `clean accuracy on ${merging.testLimit ?? 'all 10,000'} test images, attacks (${settings.pgdSteps ?? 10} PGD steps) and noise on the first ${settings.attackLimit ?? 'all'}.`,
  ].join(' ');
  const text = `${mergeTable(entries)}\n\nAt matched clean accuracy:\n\n${matchedTable(entries)}\n\n${note}\n`;
  return {
    rows: entries,
    text,
    files: { 'table.md': text, 'merge.svg': mergeFigure(entries), 'matched.svg': matchedFigure(entries) },
  };
}
