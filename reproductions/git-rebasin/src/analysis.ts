import type { AlignJobInputs, ReproductionAnalysis, ReproductionInput, ResultRow, SweepJob } from '@weightspace/cli';
import { evaluationsOf, markdownTable, meanAndStd } from '@weightspace/cli';
import { linePlotSvg } from '@weightspace/core';

/** The corrections of the interpolated models, as the sweep names them and as the table does. */
export const CORRECTIONS = { plain: 'plain', 'bn-reset': 'BN reset', repair: 'REPAIR' } as const;
/**
 * The alignment methods, as `methodKey` names them and as the table does: the weight-based ones
 * (weight matching, STE) with BatchNorm running statistics counted in the objective or left out.
 */
export const METHODS = {
  none: 'naive',
  'weight/match': 'weight (stats matched)',
  'weight/ignore': 'weight (stats ignored)',
  weight: 'weight',
  activation: 'activation',
  'ste/match': 'STE (stats matched)',
  'ste/ignore': 'STE (stats ignored)',
  ste: 'STE',
} as const;

/** A pair's method with its `statistics` setting where its cell gives one (`weight/ignore`). */
export function methodKey(align: AlignJobInputs): string {
  const statistics = align.options?.matcherOptions?.statistics;
  return statistics ? `${align.method}/${statistics}` : align.method;
}

type Correction = keyof typeof CORRECTIONS;
type Stat = { mean: number; std: number };

/** One width and method over the seed pairs: endpoint accuracies and the barriers per correction. */
export interface WidthRow {
  width: number;
  method: string;
  pairs: number;
  accuracyA: Stat;
  accuracyB: Stat;
  barriers: Partial<Record<Correction, { midpoint: Stat; max: Stat; accuracy: Stat }>>;
}

interface Curve {
  barriers: { loss: number; accuracy: number; midpointLoss: number };
  endpoints: { a: { accuracy: number }; b: { accuracy: number } };
}

/**
 * The sweep's finished curves as the reproduction's rows: one per width and method (ordered by
 * width, then as METHODS lists them), mean ± std over the seed pairs of the midpoint and maximum
 * loss barriers and the accuracy barrier, per correction.
 */
export function widthRows(jobs: readonly SweepJob[], rows: readonly ResultRow[]): WidthRow[] {
  const groups = new Map<string, { width: number; method: string; curves: Map<Correction, Curve[]> }>();
  for (const { inputs, align, a, metrics } of evaluationsOf(jobs, rows)) {
    if (inputs.metric !== 'barrier') continue;
    const width = (a.config as { width: number }).width;
    const method = methodKey(align);
    const key = `${width}/${method}`;
    const group = groups.get(key) ?? { width, method, curves: new Map() };
    const correction = inputs.correction as Correction;
    group.curves.set(correction, [...(group.curves.get(correction) ?? []), metrics as unknown as Curve]);
    groups.set(key, group);
  }
  const methodOrder = Object.keys(METHODS);
  return [...groups.values()]
    .sort((x, y) => x.width - y.width || methodOrder.indexOf(x.method) - methodOrder.indexOf(y.method))
    .map(({ width, method, curves }) => {
      const any = [...curves.values()][0];
      const barriers: WidthRow['barriers'] = {};
      for (const [correction, cs] of curves) {
        barriers[correction] = {
          midpoint: meanAndStd(cs.map((c) => c.barriers.midpointLoss)),
          max: meanAndStd(cs.map((c) => c.barriers.loss)),
          accuracy: meanAndStd(cs.map((c) => c.barriers.accuracy)),
        };
      }
      return {
        width,
        method,
        pairs: any.length,
        accuracyA: meanAndStd(any.map((c) => c.endpoints.a.accuracy)),
        accuracyB: meanAndStd(any.map((c) => c.endpoints.b.accuracy)),
        barriers,
      };
    });
}

const methodName = (method: string) => METHODS[method as keyof typeof METHODS] ?? method;
const withStd = (s: Stat, digits: number, scale = 1) =>
  s.std > 0
    ? `${(s.mean * scale).toFixed(digits)} ± ${(s.std * scale).toFixed(digits)}`
    : (s.mean * scale).toFixed(digits);

/** The rows as a Markdown table: per correction, midpoint / max loss barrier and accuracy barrier. */
export function widthTable(rows: readonly WidthRow[]): string {
  const corrections = Object.keys(CORRECTIONS) as Correction[];
  const header = [
    'width',
    'method',
    'acc A / B (%)',
    ...corrections.map((c) => `${CORRECTIONS[c]}: mid / max loss, acc (pts)`),
  ];
  const body = rows.map((r) => [
    String(r.width),
    methodName(r.method),
    `${withStd(r.accuracyA, 1, 100)} / ${withStd(r.accuracyB, 1, 100)}`,
    ...corrections.map((c) => {
      const b = r.barriers[c];
      return b ? `${withStd(b.midpoint, 3)} / ${withStd(b.max, 3)}, ${withStd(b.accuracy, 1, 100)}` : '-';
    }),
  ]);
  return markdownTable(header, body);
}

/** The midpoint loss barrier against width, one panel per correction, one line per method. */
export function widthFigure(rows: readonly WidthRow[], title: string): string {
  const methods = [...new Set(rows.map((r) => r.method))];
  const panels = (Object.keys(CORRECTIONS) as Correction[]).map((correction) => ({
    title: CORRECTIONS[correction],
    xLabel: 'width multiplier',
    yLabel: 'midpoint loss barrier',
    series: methods.map((method) => {
      const mine = rows.filter((r) => r.method === method && r.barriers[correction]);
      return {
        name: methodName(method),
        xs: mine.map((r) => r.width),
        ys: mine.map((r) => r.barriers[correction]!.midpoint.mean),
        errors: mine.map((r) => r.barriers[correction]!.midpoint.std),
      };
    }),
  }));
  return linePlotSvg(panels, title);
}

/** The seed pairs of each width, as `width 1: 0/1, 2/3` (widths in the cells' order, each once). */
function pairsByWidth(cells: ReproductionInput['cells']): string {
  const byWidth = new Map<number, Set<string>>();
  for (const cell of cells) {
    const width = (cell.config as { width: number }).width;
    const pairs = byWidth.get(width) ?? new Set<string>();
    for (const pair of cell.pairs) pairs.add(pair.join('/'));
    byWidth.set(width, pairs);
  }
  return [...byWidth].map(([width, pairs]) => `width ${width}: ${[...pairs].join(', ')}`).join('; ');
}

/** The reproduction's analysis: table.md and resnet-barriers.svg from the sweep's rows. */
export function resnetAnalysis(input: ReproductionInput): ReproductionAnalysis {
  const rows = widthRows(input.jobs, input.rows);
  const base = input.cells[0];
  const config = base.config as { depth: number; stemStride: number };
  const epochs = `${base.train.epochs} epoch${base.train.epochs === 1 ? '' : 's'}`;
  const note = [
    `ResNet (depth ${config.depth}, stem stride ${config.stemStride}, BatchNorm) on Fashion-MNIST,`,
    `${base.train.trainLimit ?? 'all'} training images, ${epochs} (Adam ${base.train.learningRate}, batch ${base.train.batchSize}),`,
    `seed pairs ${pairsByWidth(input.cells)}; ${base.points}-point paths on ${base.testLimit ?? 'all'} test images;`,
    `statistics and matching on ${base.statSamples} training images, ${base.align?.steps} STE steps.`,
  ].join(' ');
  const text = `${widthTable(rows)}\n\n${note}\n`;
  return {
    rows,
    text,
    files: {
      'table.md': text,
      'resnet-barriers.svg': widthFigure(
        rows,
        `ResNet-${config.depth} (BatchNorm) on Fashion-MNIST: midpoint loss barrier vs width`,
      ),
    },
  };
}
