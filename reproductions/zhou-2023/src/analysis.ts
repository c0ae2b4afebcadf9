import type { ReproductionAnalysis, ReproductionInput, ResultRow, SweepJob } from '@weightspace/cli';
import { evaluationsOf, markdownTable } from '@weightspace/cli';
import { linePlotSvg } from '@weightspace/core';

/** What `weightspace llfc` reports of a pair (the fields the tables use). */
export interface LlfcResult {
  layers: Array<{
    tap: string;
    baseline: { mean: number };
    dis: Record<string, { mean: number }>;
    scale: Record<string, number>;
  }>;
  commutativity: Array<{ weight: string; distCom: number; distW: number; distH: number }>;
  weakAdditivity: Array<{ activation: string; alphas: Record<string, { normalisedDistance: number }> }>;
}

/** The pairs in the tables' order: a spawned pair, an independent pair aligned three ways, and unaligned. */
export const PAIRS = ['spawned', 'weight-matched', 'activation-matched', 'STE-matched', 'naive'] as const;
const ALIGNED: Record<string, PairResult['pair']> = {
  none: 'naive',
  weight: 'weight-matched',
  activation: 'activation-matched',
  ste: 'STE-matched',
};

/** One pair, with its barriers and its LLFC report. */
export interface PairResult {
  pair: (typeof PAIRS)[number];
  barriers: { loss: number; accuracy: number };
  llfc: LlfcResult;
}

/**
 * The sweep's rows as pairs: a spawned pair (its models share a parent) is `spawned`; an
 * independent pair is named by how B was aligned (`weight-matched`, `activation-matched`,
 * `STE-matched`), or `naive` as trained.
 */
export function pairResults(jobs: readonly SweepJob[], rows: readonly ResultRow[]): PairResult[] {
  const found = new Map<PairResult['pair'], Partial<PairResult>>();
  for (const { inputs, align, a, metrics } of evaluationsOf(jobs, rows)) {
    const pair = a.init !== undefined ? 'spawned' : ALIGNED[align.method];
    if (!pair) continue;
    const entry = found.get(pair) ?? { pair };
    if (inputs.metric === 'llfc') entry.llfc = metrics as unknown as LlfcResult;
    if (inputs.metric === 'barrier') entry.barriers = (metrics as { barriers: PairResult['barriers'] }).barriers;
    found.set(pair, entry);
  }
  return PAIRS.flatMap((pair) => {
    const entry = found.get(pair);
    return entry?.llfc && entry.barriers ? [entry as PairResult] : [];
  });
}

const f = (v: number) => v.toFixed(4);

/** The barriers, LLFC per layer, commutativity and weak additivity as Markdown tables. */
export function llfcTables(pairs: readonly PairResult[]): string {
  if (!pairs.length) return 'no pair finished';
  const taps = pairs[0].llfc.layers.map((l) => l.tap);
  const names = pairs.map((p) => p.pair);
  return [
    markdownTable(
      ['pair', 'loss barrier', 'accuracy barrier (pts)'],
      pairs.map((p) => [p.pair, f(p.barriers.loss), (p.barriers.accuracy * 100).toFixed(2)]),
    ),
    markdownTable(
      ['layer', ...names.flatMap((n) => [`${n}: baseline`, 'Dis .25', 'Dis .5', 'Dis .75', 'c .5'])],
      taps.map((tap, i) => [
        tap,
        ...pairs.flatMap((p) => {
          const layer = p.llfc.layers[i];
          return [
            f(layer.baseline.mean),
            f(layer.dis['0.25'].mean),
            f(layer.dis['0.5'].mean),
            f(layer.dis['0.75'].mean),
            f(layer.scale['0.5']),
          ];
        }),
      ]),
    ),
    markdownTable(
      ['dense layer', ...names.flatMap((n) => [`${n}: dist_com`, 'dist_W', 'dist_H'])],
      pairs[0].llfc.commutativity.map((c, i) => [
        c.weight,
        ...pairs.flatMap((p) => {
          const m = p.llfc.commutativity[i];
          return [f(m.distCom), f(m.distW), f(m.distH)];
        }),
      ]),
    ),
    markdownTable(
      ['ReLU', ...names.map((n) => `${n}: weak additivity (norm. sq. dist., α=.5)`)],
      pairs[0].llfc.weakAdditivity.map((w, i) => [
        w.activation,
        ...pairs.map((p) => f(p.llfc.weakAdditivity[i].alphas['0.5'].normalisedDistance)),
      ]),
    ),
  ].join('\n\n');
}

/** E[Dis_α] per layer against the A-vs-B baseline, one panel per pair. */
export function llfcFigure(pairs: readonly PairResult[]): string {
  return linePlotSvg(
    pairs.map((p) => {
      const taps = p.llfc.layers.map((l) => l.tap);
      const xs = taps.map((_, i) => i);
      return {
        title: `${p.pair} pair`,
        xLabel: 'layer',
        categories: taps.map((tap, i) => (i === taps.length - 1 ? 'logits' : tap)),
        yLabel: '1 − |cos|',
        series: [
          { name: 'baseline A vs B', xs, ys: p.llfc.layers.map((l) => l.baseline.mean), dashed: true },
          ...['0.25', '0.5', '0.75'].map((alpha) => ({
            name: `Dis α = ${alpha}`,
            xs,
            ys: p.llfc.layers.map((l) => l.dis[alpha].mean),
          })),
        ],
      };
    }),
    'LLFC on MNIST MLPs: E[Dis_α] per layer against the A-vs-B baseline',
  );
}

/** The reproduction's analysis: table.md and llfc.svg from the sweep's rows. */
export function zhou2023Analysis(input: ReproductionInput): ReproductionAnalysis {
  const pairs = pairResults(input.jobs, input.rows);
  const [spawned, independent] = input.cells;
  const note = [
    `MLP 784-${(independent.config.hidden as number[]).join('-')}-10 on MNIST (Adam ${independent.train.learningRate}, batch ${independent.train.batchSize}${independent.train.trainLimit ? `, first ${independent.train.trainLimit} training images` : ''}):`,
    `spawned pair from a parent trained ${spawned.spawn?.epochs} epoch(s) (seed ${spawned.spawn?.seed}), children ${spawned.pairs[0].join(' and ')} trained ${spawned.train.epochs} more;`,
    `independent pair seeds ${independent.pairs[0].join(' and ')}, ${independent.train.epochs} epochs; LLFC on ${independent.testLimit ?? 'all 10,000'} test images, ${independent.points}-point barrier curves.`,
  ].join(' ');
  const text = `${llfcTables(pairs)}\n\n${note}\n`;
  return { rows: pairs, text, files: { 'table.md': text, 'llfc.svg': llfcFigure(pairs) } };
}
