import type {
  AlignJobInputs,
  ReproductionAnalysis,
  ReproductionInput,
  ResultRow,
  SweepJob,
  TrainJobInputs,
} from '@weightspace/cli';
import { evaluationsOf, markdownTable, sameConfig } from '@weightspace/cli';
import { linePlotSvg } from '@weightspace/core';

/** The methods compared, in the table's order. */
export const METHODS = [
  'vanilla averaging',
  'activation matching, as trained',
  'weight matching, as trained (permutation stream)',
  'weight matching, canonical form, permutation-only stream',
  'weight matching, canonical form, orthogonal stream',
  'learned matching, permutations only',
  'learned matching (full)',
  'learned matching (full), long training',
  'weight matching, circuit form',
  'learned matching (full), circuit form',
] as const;
export type Method = (typeof METHODS)[number];

/** The row label of the width-heterogeneous pair (B at half the width, embedded into A's). */
export const HALF_WIDTH = 'gpt, B at half width';

/** Figure panel titles per row label (a wider pair's: its architecture's, with its width). */
const TITLES: Record<string, string> = {
  gpt: 'character GPT, Moby-Dick',
  vit: 'ViT, Fashion-MNIST',
  [HALF_WIDTH]: 'GPT, B at half width (embedded)',
};

/**
 * A pair's row label: its architecture, or the half-width pair's; where the sweep has same-width
 * pairs of one architecture at several widths (`--full`'s wider pairs), each but the narrowest
 * is labelled `…, d N`; where it has pairs trained on different amounts of data, each trained on
 * fewer samples than the most is labelled `…, N windows` (its first N training samples).
 * `narrowest`: the least residual width per architecture; `most`: the most training samples per
 * architecture (Infinity: the whole split).
 */
export function modelLabel(
  a: TrainJobInputs,
  b: TrainJobInputs,
  narrowest: ReadonlyMap<string, number>,
  most: ReadonlyMap<string, number>,
): string {
  if (!sameConfig(a, b)) return HALF_WIDTH;
  const dim = widthOf(a);
  const label = dim === undefined || dim === narrowest.get(a.arch) ? a.arch : `${a.arch}, d ${dim}`;
  const samples = samplesOf(a);
  return samples < (most.get(a.arch) ?? samples) ? `${label}, ${samples} windows` : label;
}

const samplesOf = (model: TrainJobInputs): number => model.train.trainLimit ?? Infinity;

const widthOf = (model: TrainJobInputs): number | undefined => (model.config as { dim?: number }).dim;

/** The end of the label of a pair trained on its first N training samples. */
const WINDOWS = /^(.*), (\d+) windows$/;

const titleOf = (model: string): string => {
  const windows = WINDOWS.exec(model);
  if (windows) return `${titleOf(windows[1])}, first ${windows[2]} windows`;
  const [arch, width] = model.split(', d ');
  return TITLES[model] ?? (width ? `${TITLES[arch] ?? arch}, d ${width}` : model);
};

/** Test-loss barriers of Table 2 in the paper (mean), for the settings nearest ours. */
const PAPER: Partial<Record<Method, { cifar10: number; shakespeare: number }>> = {
  'vanilla averaging': { cifar10: 1.69, shakespeare: 2.02 },
  'activation matching, as trained': { cifar10: 1.27, shakespeare: 1.43 },
  'weight matching, canonical form, orthogonal stream': { cifar10: 0.36, shakespeare: 0.34 },
  'learned matching, permutations only': { cifar10: 0.45, shakespeare: 0.63 },
  'learned matching (full)': { cifar10: 0.0, shakespeare: 0.02 },
  'learned matching (full), long training': { cifar10: 0.0, shakespeare: 0.02 },
  'learned matching (full), circuit form': { cifar10: 0.0, shakespeare: 0.02 },
};

/** Steps of learned matching by default (the matcher's); a cell with more is "long training". */
const LEARNED_STEPS = 1000;

/**
 * The table's name of an alignment: its matcher with the form it matched in and how it solved the
 * residual stream (`none`: B as trained), and for learned matching with more than the default
 * steps, "long training". Undefined for a combination the table has no row for.
 */
export function methodOf(align: AlignJobInputs): Method | undefined {
  const form = align.options?.form ?? 'canonical';
  const permutationsOnly = align.options?.orthogonalAs === 'permutation';
  const long = align.method === 'learned' && (align.options?.steps ?? LEARNED_STEPS) > LEARNED_STEPS;
  const names: Record<string, Method> = {
    none: 'vanilla averaging',
    'activation/original': 'activation matching, as trained',
    'weight/original/permutation': 'weight matching, as trained (permutation stream)',
    'weight/canonical/permutation': 'weight matching, canonical form, permutation-only stream',
    'weight/canonical': 'weight matching, canonical form, orthogonal stream',
    'learned/canonical/permutation': 'learned matching, permutations only',
    'learned/canonical': 'learned matching (full)',
    'learned/canonical/long': 'learned matching (full), long training',
    'weight/circuits': 'weight matching, circuit form',
    'learned/circuits': 'learned matching (full), circuit form',
  };
  const key =
    align.method === 'none'
      ? 'none'
      : [align.method, form, ...(permutationsOnly ? ['permutation'] : []), ...(long ? ['long'] : [])].join('/');
  return names[key];
}

/** One pair and method: the curve's barrier, midpoint and endpoint losses, and the matching time. */
export interface MethodRow {
  model: string;
  /** A's residual width (`dim`), if its config names one. */
  width?: number;
  method: Method;
  barrier: number;
  midpointLoss: number;
  endpoints: [number, number];
  curve: Array<{ t: number; loss: number; accuracy: number }>;
  matchingSeconds: number;
  /** The loss barrier on training samples, where the sweep measured it (`train-barrier`). */
  trainBarrier?: number;
}

/** What `weightspace interpolate` reports of a curve (the fields used here). */
interface CurveResult {
  points: Array<{ t: number; loss: number; accuracy: number }>;
  barriers: { loss: number };
}

/** The sweep's curves as table rows, by model (the half-width pair first, as labels sort), then method. */
export function methodRows(jobs: readonly SweepJob[], rows: readonly ResultRow[]): MethodRow[] {
  const alignments = new Map(rows.filter((r) => r.kind === 'align' && r.status === 'done').map((r) => [r.id, r]));
  const out: MethodRow[] = [];
  const evaluations = evaluationsOf(jobs, rows);
  const narrowest = new Map<string, number>();
  const most = new Map<string, number>();
  for (const { a, b } of evaluations) {
    const dim = widthOf(a);
    if (sameConfig(a, b) && dim !== undefined) narrowest.set(a.arch, Math.min(dim, narrowest.get(a.arch) ?? dim));
    most.set(a.arch, Math.max(samplesOf(a), most.get(a.arch) ?? 0));
  }
  const trainBarriers = new Map(
    evaluations
      .filter(({ inputs }) => inputs.metric === 'train-barrier')
      .map(({ inputs, metrics }) => [inputs.align, (metrics as unknown as CurveResult).barriers.loss]),
  );
  for (const { inputs, align, a, b, metrics } of evaluations) {
    const method = methodOf(align);
    if (inputs.metric !== 'barrier' || !method) continue;
    const { points, barriers } = metrics as unknown as CurveResult;
    const model = modelLabel(a, b, narrowest, most);
    // `seconds` of the alignment is the matcher's own time (loading and writing left out).
    const matched = alignments.get(inputs.align)?.metrics as { seconds?: number } | undefined;
    out.push({
      model,
      width: widthOf(a),
      method,
      barrier: barriers.loss,
      midpointLoss: points[Math.floor(points.length / 2)].loss,
      endpoints: [points[0].loss, points[points.length - 1].loss],
      curve: points.map(({ t, loss, accuracy }) => ({ t, loss, accuracy })),
      matchingSeconds: matched?.seconds ?? 0,
      ...(trainBarriers.has(inputs.align) ? { trainBarrier: trainBarriers.get(inputs.align) } : {}),
    });
  }
  const order = (r: MethodRow) => `${r.model}/${String(METHODS.indexOf(r.method)).padStart(2, '0')}`;
  return out.sort((x, y) => order(x).localeCompare(order(y)));
}

const f = (v: number) => v.toFixed(3);

/** The paper's barrier for a row: Table 2 (CIFAR-10 for the ViT, Tiny Shakespeare for the GPT), Fig. 3c at half width. */
function paperBarrier(row: MethodRow): string {
  // The paper's width-heterogeneous figure (3c) has no table: its learned matching stays near 0.
  if (row.model === HALF_WIDTH) return row.method.startsWith('learned') ? '≈ 0 (Fig. 3c)' : '—';
  const paper = PAPER[row.method];
  return paper ? f(row.model.startsWith('vit') ? paper.cifar10 : paper.shakespeare) : '—';
}

/**
 * The table: one line per model and method, with the paper's barrier beside ours; where the sweep
 * measured any training-loss barrier, a column of them (— where not measured).
 */
export function methodTable(rows: readonly MethodRow[]): string {
  const onTrain = rows.some((r) => r.trainBarrier !== undefined);
  return markdownTable(
    [
      'model',
      'method',
      'test-loss barrier',
      'midpoint loss',
      'endpoint losses',
      ...(onTrain ? ['training-loss barrier'] : []),
      'paper (Table 2)',
      'matching s',
    ],
    rows.map((r) => [
      r.model,
      r.method,
      f(r.barrier),
      f(r.midpointLoss),
      `${f(r.endpoints[0])} / ${f(r.endpoints[1])}`,
      ...(onTrain ? [r.trainBarrier === undefined ? '—' : f(r.trainBarrier)] : []),
      paperBarrier(r),
      r.matchingSeconds.toFixed(1),
    ]),
  );
}

/** Test loss along the line from A to B, one panel per model, one line per method. */
export function curvesFigure(rows: readonly MethodRow[]): string {
  const models = [...new Set(rows.map((r) => r.model))];
  return linePlotSvg(
    models.map((model) => ({
      title: titleOf(model),
      xLabel: 'λ (0: A, 1: B)',
      yLabel: 'test loss',
      series: rows
        .filter((r) => r.model === model)
        .map((r) => ({ name: r.method, xs: r.curve.map((p) => p.t), ys: r.curve.map((p) => p.loss) })),
    })),
    'Transformers: test loss along the line from A to B after each alignment',
  );
}

/** The methods the width figure compares. */
const WIDTH_METHODS: readonly Method[] = [
  'vanilla averaging',
  'weight matching, canonical form, orthogonal stream',
  'learned matching (full)',
  'learned matching (full), long training',
];

/** The barrier full learned matching is held to (≤ 0.05), drawn on the width figure. */
const TARGET_BARRIER = 0.05;

/**
 * Barrier against residual width, one panel per architecture trained at several widths (same-width
 * pairs only), one line per method of `WIDTH_METHODS`, the 0.05 target dashed; undefined where no
 * architecture has two widths.
 */
export function widthFigure(rows: readonly MethodRow[]): string | undefined {
  // Pairs trained on part of the data (`…, N windows`) are another comparison, not a width.
  const sameWidth = rows.filter((r) => r.model !== HALF_WIDTH && r.width !== undefined && !WINDOWS.test(r.model));
  const archOf = (r: MethodRow) => r.model.split(',')[0];
  const panels = [...new Set(sameWidth.map(archOf))].flatMap((arch) => {
    const mine = sameWidth.filter((r) => archOf(r) === arch);
    const widths = [...new Set(mine.map((r) => r.width as number))].sort((x, y) => x - y);
    if (widths.length < 2) return [];
    const series = WIDTH_METHODS.map((method) => {
      const points = widths.flatMap((w, k) => {
        const row = mine.find((r) => r.width === w && r.method === method);
        return row ? [{ x: k, y: row.barrier }] : [];
      });
      return { name: method, xs: points.map((p) => p.x), ys: points.map((p) => p.y) };
    });
    const target = {
      name: `target ${TARGET_BARRIER}`,
      xs: [0, widths.length - 1],
      ys: [TARGET_BARRIER, TARGET_BARRIER],
      dashed: true,
    };
    return [
      {
        title: TITLES[arch] ?? arch,
        xLabel: 'residual width d',
        yLabel: 'test-loss barrier',
        categories: widths.map((w) => `d ${w}`),
        series: [...series, target],
      },
    ];
  });
  return panels.length
    ? linePlotSvg(panels, 'Transformers: barrier against width, before and after alignment')
    : undefined;
}

/** The reproduction's analysis: table.md, transformers.svg and, with pairs of several widths, widths.svg. */
export function theus2025Analysis(input: ReproductionInput): ReproductionAnalysis {
  const rows = methodRows(input.jobs, input.rows);
  const text = `${methodTable(rows)}\n`;
  const widths = widthFigure(rows);
  const files: Record<string, string> = { 'table.md': text, 'transformers.svg': curvesFigure(rows) };
  if (widths) files['widths.svg'] = widths;
  return { rows, text, files };
}
