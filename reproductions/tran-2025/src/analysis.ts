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

/** `align --brute-force`'s report (the fields used here). */
interface BruteForce {
  orders: unknown[];
  chosen: { rank: number; barrier: number };
  best: number;
  naive: number;
  relative: number;
}

/** One gating, expert count and method: its barriers over the seed pairs, and brute force where run. */
export interface CellRow {
  gating: Gating;
  experts: number;
  method: Method;
  pairs: string[];
  barriers: number[];
  bruteForce?: Array<{ rank: number; relative: number; orders: number }>;
}

/** The sweep's curves grouped by gating, expert count and method, with each alignment's brute force. */
export function cellRows(jobs: readonly SweepJob[], rows: readonly ResultRow[]): CellRow[] {
  const alignments = new Map(rows.filter((r) => r.kind === 'align' && r.status === 'done').map((r) => [r.id, r]));
  const found = new Map<string, CellRow>();
  for (const { inputs, align, a, b, metrics } of evaluationsOf(jobs, rows)) {
    const method = methodOf(align);
    if (!method) continue;
    const gating = gatingOf(a);
    const experts = a.config.experts as number;
    const key = `${GATINGS.indexOf(gating)}/${String(experts).padStart(3, '0')}/${METHODS.indexOf(method)}`;
    const row = found.get(key) ?? { gating, experts, method, pairs: [], barriers: [] };
    row.pairs.push(`${a.seed}/${b.seed}`);
    row.barriers.push((metrics as { barriers: { loss: number } }).barriers.loss);
    const brute = (alignments.get(inputs.align)?.metrics as { bruteForce?: BruteForce } | undefined)?.bruteForce;
    if (brute)
      (row.bruteForce ??= []).push({ rank: brute.chosen.rank, relative: brute.relative, orders: brute.orders.length });
    found.set(key, row);
  }
  return [...found.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([, row]) => row);
}

const f = (values: number[], digits = 3) => {
  const { mean, std } = meanAndStd(values);
  return values.length > 1 ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)}` : mean.toFixed(digits);
};

/** Barriers per gating and expert count, one column per method (mean ± std over seed pairs). */
export function barrierTable(rows: readonly CellRow[]): string {
  const cells = [...new Set(rows.map((r) => `${r.gating}|${r.experts}`))];
  return markdownTable(
    ['gating', 'experts', ...METHODS],
    cells.map((cell) => {
      const [gating, experts] = cell.split('|');
      return [
        gating,
        experts,
        ...METHODS.map((m) => {
          const row = rows.find((r) => `${r.gating}|${r.experts}` === cell && r.method === m);
          return row ? f(row.barriers) : '—';
        }),
      ];
    }),
  );
}

/** For the cells with brute force (4 experts): the chosen order's rank among all 24 and L̃, per cost. */
export function bruteForceTable(rows: readonly CellRow[]): string {
  const withBrute = rows.filter((r) => r.bruteForce?.length);
  if (!withBrute.length) return 'no brute force finished';
  return markdownTable(
    ['gating', 'experts', 'stage 1 cost', 'rank of the chosen order (per pair)', 'mean rank', 'L̃ (mean ± std)'],
    withBrute.map((r) => [
      r.gating,
      r.experts,
      r.method === 'two-stage, Gram cost' ? 'Gram' : 'gate',
      `${r.bruteForce!.map((b) => b.rank).join(', ')} of ${r.bruteForce![0].orders}`,
      f(
        r.bruteForce!.map((b) => b.rank),
        1,
      ),
      f(
        r.bruteForce!.map((b) => b.relative),
        2,
      ),
    ]),
  );
}

/** The test-loss barrier against the expert count, one panel per gating, one line per method (± std). */
export function barrierFigure(rows: readonly CellRow[]): string {
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

/** The reproduction's analysis: table.md and moe.svg from the sweep's rows. */
export function tran2025Analysis(input: ReproductionInput): ReproductionAnalysis {
  const rows = cellRows(input.jobs, input.rows);
  const { config, train, spawn, points, testLimit } = input.cells[0];
  const note = [
    `moe-mlp 784-${config.width}-MoE(${config.expertWidth} hidden per expert)-10 on MNIST: a dense model (one expert) trained ${spawn?.epochs} epoch(s) from seed ${spawn?.seed},`,
    `its trunk and head reused by every MoE model, whose gate and experts start from its own seed, then ${train.epochs} epochs of Adam (lr ${train.learningRate}, batch ${train.batchSize})${train.trainLimit ? ` on the first ${train.trainLimit} training images` : ''};`,
    `${points}-point test-loss barriers on ${testLimit ?? 'all 10,000'} test images, mean ± std over seed pairs ${input.cells[0].pairs.map((p) => p.join('/')).join(', ')}.`,
  ].join(' ');
  const text = `${barrierTable(rows)}\n\n${bruteForceTable(rows)}\n\n${note}\n`;
  return { rows, text, files: { 'table.md': text, 'moe.svg': barrierFigure(rows) } };
}
