import type {
  AlignJobInputs,
  ReproductionAnalysis,
  ReproductionInput,
  ResultRow,
  SweepJob,
  TrainJobInputs,
} from '@weightspace/cli';
import { evaluationsOf, markdownTable, meanAndStd } from '@weightspace/cli';
import { linePlotSvg } from '@weightspace/core';

/** The alignments compared, in the table's order. */
export const METHODS = [
  'naive',
  'expert order only',
  'hidden units only',
  'two-stage, gate cost',
  'two-stage, Gram cost',
] as const;
export type Method = (typeof METHODS)[number];

/** The gatings compared, in the table's order. */
export const GATINGS = ['dense', 'top-2', 'top-2 + shared'] as const;
export type Gating = (typeof GATINGS)[number];

/** The table's name of an alignment: `none`, or the moe matcher with its stages and cost. */
export function methodOf(align: AlignJobInputs): Method | undefined {
  if (align.method === 'none') return 'naive';
  if (align.method !== 'moe') return undefined;
  const options = align.options?.matcherOptions ?? {};
  if (options.stages === 'experts') return 'expert order only';
  if (options.stages === 'hidden') return 'hidden units only';
  return options.expertCost === 'gram' ? 'two-stage, Gram cost' : 'two-stage, gate cost';
}

/** A model's gating, from its config. */
export function gatingOf(model: TrainJobInputs): Gating {
  if (model.config.topK === undefined) return 'dense';
  return model.config.sharedExperts ? 'top-2 + shared' : 'top-2';
}

/** The models compared, in the table's order: the MoE MLP, and the ViT with the MoE layer in its first, last or every block. */
export const MODELS = ['moe-mlp', 'vit-moe, first block', 'vit-moe, last block', 'vit-moe, every block'] as const;
export type Model = (typeof MODELS)[number];

/** A model's row label, from its architecture and (for the ViT) where its MoE layers are. */
export function modelOf(model: TrainJobInputs): Model {
  if (model.arch !== 'vit-moe') return 'moe-mlp';
  const blocks = model.config.moeBlocks as number[];
  const depth = model.config.depth as number;
  if (blocks.length === depth && depth > 1) return 'vit-moe, every block';
  return blocks[0] === 0 ? 'vit-moe, first block' : 'vit-moe, last block';
}

/** `align --brute-force`'s report (the fields used here). */
interface BruteForce {
  orders: unknown[];
  chosen: { rank: number; barrier: number };
  best: number;
  naive: number;
  relative: number;
}

/** One model, gating, expert count and method: its barriers over the seed pairs, and brute force where run. */
export interface CellRow {
  model: Model;
  gating: Gating;
  experts: number;
  method: Method;
  pairs: string[];
  barriers: number[];
  bruteForce?: Array<{ rank: number; relative: number; orders: number; spread: number }>;
}

/** The sweep's curves grouped by model, gating, expert count and method, with each alignment's brute force. */
export function cellRows(jobs: readonly SweepJob[], rows: readonly ResultRow[]): CellRow[] {
  const alignments = new Map(rows.filter((r) => r.kind === 'align' && r.status === 'done').map((r) => [r.id, r]));
  const found = new Map<string, CellRow>();
  for (const { inputs, align, a, b, metrics } of evaluationsOf(jobs, rows)) {
    const method = methodOf(align);
    if (!method) continue;
    const model = modelOf(a);
    const gating = gatingOf(a);
    const experts = a.config.experts as number;
    const key = [
      MODELS.indexOf(model),
      GATINGS.indexOf(gating),
      String(experts).padStart(3, '0'),
      METHODS.indexOf(method),
    ];
    const row = found.get(key.join('/')) ?? { model, gating, experts, method, pairs: [], barriers: [] };
    row.pairs.push(`${a.seed}/${b.seed}`);
    row.barriers.push((metrics as { barriers: { loss: number } }).barriers.loss);
    const brute = (alignments.get(inputs.align)?.metrics as { bruteForce?: BruteForce } | undefined)?.bruteForce;
    if (brute)
      (row.bruteForce ??= []).push({
        rank: brute.chosen.rank,
        relative: brute.relative,
        orders: brute.orders.length,
        spread: brute.naive - brute.best,
      });
    found.set(key.join('/'), row);
  }
  return [...found.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([, row]) => row);
}

const f = (values: number[], digits = 3) => {
  const { mean, std } = meanAndStd(values);
  return values.length > 1 ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)}` : mean.toFixed(digits);
};

/** Barriers per model, gating and expert count, one column per method (mean ± std over seed pairs). */
export function barrierTable(rows: readonly CellRow[]): string {
  const cellOf = (r: CellRow) => `${r.model}|${r.gating}|${r.experts}`;
  const cells = [...new Set(rows.map(cellOf))];
  return markdownTable(
    ['model', 'gating', 'experts', ...METHODS],
    cells.map((cell) => {
      const [model, gating, experts] = cell.split('|');
      return [
        model,
        gating,
        experts,
        ...METHODS.map((m) => {
          const row = rows.find((r) => cellOf(r) === cell && r.method === m);
          return row ? f(row.barriers) : '—';
        }),
      ];
    }),
  );
}

/**
 * Below this gap between the naive and the best order's barrier, L̃ divides rounding by rounding:
 * such pairs are left out of its mean (and counted in the table).
 */
export const MIN_SPREAD = 0.005;

/** For the cells with brute force (4 experts): the chosen order's rank among all 24 and L̃, per cost. */
export function bruteForceTable(rows: readonly CellRow[]): string {
  const withBrute = rows.filter((r) => r.bruteForce?.length);
  if (!withBrute.length) return 'no brute force finished';
  return markdownTable(
    [
      'model',
      'gating',
      'experts',
      'stage 1 cost',
      'rank of the chosen order (per pair)',
      'mean rank',
      'L̃ (mean ± std)',
    ],
    withBrute.map((r) => [
      r.model,
      r.gating,
      r.experts,
      r.method === 'two-stage, Gram cost' ? 'Gram' : 'gate',
      `${r.bruteForce!.map((b) => b.rank).join(', ')} of ${r.bruteForce![0].orders}`,
      f(
        r.bruteForce!.map((b) => b.rank),
        1,
      ),
      relativeCell(r.bruteForce!),
    ]),
  );
}

/** L̃'s mean ± std over the pairs whose naive and best barriers differ by MIN_SPREAD at least, naming how many do not. */
function relativeCell(pairs: NonNullable<CellRow['bruteForce']>): string {
  const kept = pairs.filter((b) => b.spread >= MIN_SPREAD);
  const left = pairs.length - kept.length;
  if (!kept.length) return `— (naive ≈ best in ${left} of ${pairs.length})`;
  const value = f(
    kept.map((b) => b.relative),
    2,
  );
  return left ? `${value} (${left} of ${pairs.length} left out: naive ≈ best)` : value;
}

/** The MoE MLP's test-loss barrier against the expert count, one panel per gating, one line per method (± std). */
export function barrierFigure(allRows: readonly CellRow[]): string {
  const rows = allRows.filter((r) => r.model === 'moe-mlp');
  return linePlotSvg(
    GATINGS.filter((g) => rows.some((r) => r.gating === g)).map((gating) => ({
      title: `${gating} gating`,
      xLabel: 'experts',
      yLabel: 'test-loss barrier',
      series: METHODS.map((method) => {
        const line = rows.filter((r) => r.gating === gating && r.method === method);
        return {
          name: method,
          xs: line.map((r) => r.experts),
          ys: line.map((r) => meanAndStd(r.barriers).mean),
          errors: line.map((r) => meanAndStd(r.barriers).std),
        };
      }),
    })),
    'MoE MLPs on MNIST: barrier after each alignment',
  );
}

/** Where the ViT's MoE layers are, as the figure's categories. */
const PLACEMENTS = ['first block', 'last block', 'every block'] as const;

/** The ViT's test-loss barrier per MoE placement, one panel per gating, one marker series per method (± std). */
export function vitFigure(allRows: readonly CellRow[]): string {
  const rows = allRows.filter((r) => r.model !== 'moe-mlp');
  const placementOf = (r: CellRow) => PLACEMENTS.findIndex((p) => r.model.endsWith(p));
  return linePlotSvg(
    GATINGS.filter((g) => rows.some((r) => r.gating === g)).map((gating) => ({
      title: `${gating} gating`,
      xLabel: 'MoE layer in the ViT',
      yLabel: 'test-loss barrier',
      categories: [...PLACEMENTS],
      series: METHODS.map((method) => {
        const line = rows.filter((r) => r.gating === gating && r.method === method);
        return {
          name: method,
          xs: line.map(placementOf),
          ys: line.map((r) => meanAndStd(r.barriers).mean),
          errors: line.map((r) => meanAndStd(r.barriers).std),
          markersOnly: true,
        };
      }),
    })),
    'ViTs with MoE layers on Fashion-MNIST: barrier after each alignment',
  );
}

/** What was trained and measured in the cells of architecture `arch`, for the note under the tables. */
function settingNote(input: ReproductionInput, arch: string): string | undefined {
  const cell = input.cells.find((c) => c.arch === arch);
  if (!cell) return undefined;
  const { config, train, spawn, points, testLimit } = cell;
  const model =
    arch === 'moe-mlp'
      ? `moe-mlp 784-${config.width}-MoE(${config.expertWidth} hidden per expert)-10 on MNIST: a dense model (one expert)`
      : `vit-moe (width ${config.dim}, ${config.depth} blocks of ${config.heads} heads, MLP ${config.mlpWidth}, ${config.experts} GELU experts of ${config.expertWidth}) on Fashion-MNIST: a dense ViT (no MoE block)`;
  return [
    `${model} trained ${spawn?.epochs} epoch(s) from seed ${spawn?.seed},`,
    `its tensors reused by every MoE model, whose gate and experts start from its own seed, then ${train.epochs} epoch(s) of Adam (lr ${train.learningRate}, batch ${train.batchSize})${train.trainLimit ? ` on the first ${train.trainLimit} training images` : ''};`,
    `${points}-point test-loss barriers on ${testLimit ?? 'all 10,000'} test images, mean ± std over seed pairs ${cell.pairs.map((p) => p.join('/')).join(', ')}.`,
  ].join(' ');
}

/** The reproduction's analysis: table.md, moe.svg and (with ViT cells) moe-vit.svg from the sweep's rows. */
export function tran2025Analysis(input: ReproductionInput): ReproductionAnalysis {
  const rows = cellRows(input.jobs, input.rows);
  const notes = ['moe-mlp', 'vit-moe'].map((arch) => settingNote(input, arch)).filter((n) => n !== undefined);
  const text = `${barrierTable(rows)}\n\n${bruteForceTable(rows)}\n\n${notes.join('\n\n')}\n`;
  const files: Record<string, string> = { 'table.md': text, 'moe.svg': barrierFigure(rows) };
  if (rows.some((r) => r.model !== 'moe-mlp')) files['moe-vit.svg'] = vitFigure(rows);
  return { rows, text, files };
}
