import { linePlotSvg, type Series } from '@weightspace/core';
import { table } from '../curves';
import {
  type AlignJobInputs,
  canonicalJson,
  type EvaluateJobInputs,
  evaluationsOf,
  sameConfig,
  type SweepJob,
  type TrainJobInputs,
} from './job-graph';
import type { ResultRow } from './local-runner';

/** One line of a sweep's report: a cell, a method and a correction, over its seed pairs. */
export interface ReportLine {
  arch: string;
  dataset: string;
  config: Record<string, unknown>;
  /** B's config, for a pair of two configs (a narrower B). */
  configB?: Record<string, unknown>;
  train: TrainJobInputs['train'];
  /** The matcher, with the settings its cell gives (`methodLabel`). */
  method: string;
  correction: string;
  /** The seed pairs measured, "A/B". */
  pairs: string[];
  loss: { mean: number; std: number };
  accuracy: { mean: number; std: number };
}

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * The barriers of a sweep's finished evaluations, grouped by cell (architecture, dataset, config,
 * training), method and correction over the seed pairs, in the order the sweep lists them.
 */
export function reportLines(jobs: readonly SweepJob[], rows: readonly ResultRow[]): ReportLine[] {
  const groups = new Map<string, { line: Omit<ReportLine, 'loss' | 'accuracy'>; loss: number[]; accuracy: number[] }>();
  for (const { inputs, align, a, b, metrics } of evaluationsOf(jobs, rows)) {
    const barriers = (metrics as { barriers?: { loss: number; accuracy: number } }).barriers;
    const curve = curveLabel(inputs);
    if (!curve || !barriers) continue;
    const twoConfigs = !sameConfig(a, b);
    const cell = {
      arch: a.arch,
      dataset: a.dataset,
      config: a.config,
      ...(twoConfigs ? { configB: b.config } : {}),
      train: a.train,
    };
    const method = methodLabel(align);
    const key = JSON.stringify([cell, method, curve]);
    const group = groups.get(key) ?? {
      line: { ...cell, method, correction: curve, pairs: [] },
      loss: [],
      accuracy: [],
    };
    group.line.pairs.push(`${a.seed}/${b.seed}`);
    group.loss.push(barriers.loss);
    group.accuracy.push(barriers.accuracy);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ ...g.line, loss: meanAndStd(g.loss), accuracy: meanAndStd(g.accuracy) }));
}

/**
 * How a barrier curve was measured, as reports name it: its correction on the test split, or
 * `plain, training split` for the `train-barrier` metric; undefined for a metric that is not a
 * barrier curve (LLFC, LEWC).
 */
export function curveLabel(inputs: Pick<EvaluateJobInputs, 'metric' | 'correction'>): string | undefined {
  if (inputs.metric === 'barrier') return inputs.correction;
  return inputs.metric === 'train-barrier' ? 'plain, training split' : undefined;
}

/** A method with the matcher settings its cell gives (`weight (form=circuits)`), as a report names it. */
export function methodLabel(align: AlignJobInputs): string {
  const options = Object.entries(align.options ?? {}).map(
    ([k, v]) => `${k}=${typeof v === 'object' ? canonicalJson(v) : String(v)}`,
  );
  return options.length ? `${align.method} (${options.join(', ')})` : align.method;
}

/**
 * A name for each line's cell that shows only what differs between the cells of the report
 * (e.g. `hidden=[32]`), or the architecture when every cell is alike.
 */
export function cellLabels(lines: readonly ReportLine[]): string[] {
  // B's fields (`B.dim`) where some pair's B differs from its A; a pair of one config shows A's.
  const differsInB = (line: ReportLine, key: string) =>
    line.configB !== undefined && canonicalJson(line.configB[key]) !== canonicalJson(line.config[key]);
  const bKeys = [...new Set(lines.flatMap((l) => Object.keys(l.configB ?? {}).filter((k) => differsInB(l, k))))];
  const parts = (line: ReportLine): Record<string, unknown> => ({
    arch: line.arch,
    dataset: line.dataset,
    ...line.config,
    ...Object.fromEntries(bKeys.map((k) => [`B.${k}`, (line.configB ?? line.config)[k]])),
    ...Object.fromEntries(Object.entries(line.train).map(([k, v]) => [`train.${k}`, v])),
  });
  const all = lines.map(parts);
  const keys = [...new Set(all.flatMap((p) => Object.keys(p)))];
  const varying = keys.filter((k) => new Set(all.map((p) => JSON.stringify(p[k]))).size > 1);
  return all.map((p, i) =>
    varying.length ? varying.map((k) => `${k}=${JSON.stringify(p[k])}`).join(' ') : lines[i].arch,
  );
}

const CSV_HEADER = [
  'arch',
  'dataset',
  'config',
  'config_b',
  'train',
  'method',
  'correction',
  'pairs',
  'loss_barrier_mean',
  'loss_barrier_std',
  'accuracy_barrier_mean',
  'accuracy_barrier_std',
];

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The report as CSV: one line per cell, method and correction; configs and training as JSON (config_b empty where B's is A's). */
export function reportCsv(lines: readonly ReportLine[]): string {
  const body = lines.map((l) =>
    [
      l.arch,
      l.dataset,
      JSON.stringify(l.config),
      l.configB ? JSON.stringify(l.configB) : '',
      JSON.stringify(l.train),
      l.method,
      l.correction,
      l.pairs.join(' '),
      String(l.loss.mean),
      String(l.loss.std),
      String(l.accuracy.mean),
      String(l.accuracy.std),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[CSV_HEADER.join(','), ...body].join('\n')}\n`;
}

/**
 * The report as a figure: the loss and the accuracy barrier of every method (and correction, when
 * the sweep has several) across the sweep's cells, mean ± std over the seed pairs as error bars.
 */
export function reportSvg(lines: readonly ReportLine[], title: string): string {
  const labels = cellLabels(lines);
  const categories = [...new Set(labels)];
  const corrections = new Set(lines.map((l) => l.correction));
  const seriesName = (l: ReportLine) => (corrections.size > 1 ? `${l.method}, ${l.correction}` : l.method);
  const names = [...new Set(lines.map(seriesName))];
  const series = (metric: 'loss' | 'accuracy', scale: number): Series[] =>
    names.map((name) => {
      const mine = lines
        .map((l, i) => ({ l, x: categories.indexOf(labels[i]) }))
        .filter(({ l }) => seriesName(l) === name);
      return {
        name,
        xs: mine.map(({ x }) => x),
        ys: mine.map(({ l }) => l[metric].mean * scale),
        errors: mine.map(({ l }) => l[metric].std * scale),
      };
    });
  const xLabel = 'cell';
  return linePlotSvg(
    [
      { title: 'loss barrier', xLabel, yLabel: 'loss barrier', series: series('loss', 1), categories },
      {
        title: 'accuracy barrier',
        xLabel,
        yLabel: 'accuracy barrier (points)',
        series: series('accuracy', 100),
        categories,
      },
    ],
    `${title}: mean ± std over seed pairs`,
  );
}

/** The report as a text table: mean ± std of both barriers per cell, method and correction. */
export function reportTable(lines: readonly ReportLine[]): string {
  const labels = cellLabels(lines);
  const pm = (v: { mean: number; std: number }, scale: number, digits: number) =>
    `${(v.mean * scale).toFixed(digits)} ± ${(v.std * scale).toFixed(digits)}`;
  return table(
    ['cell', 'method', 'correction', 'pairs', 'loss barrier', 'accuracy barrier (pts)'],
    lines.map((l, i) => [
      labels[i],
      l.method,
      l.correction,
      String(l.pairs.length),
      pm(l.loss, 1, 4),
      pm(l.accuracy, 100, 2),
    ]),
  );
}
