import type { ReproductionAnalysis, ReproductionInput, ResultRow, SweepJob } from '@weightspace/cli';
import { evaluationsOf, markdownTable } from '@weightspace/cli';
import { linePlotSvg } from '@weightspace/core';

/** What `weightspace lewc` reports of an unaligned pair (the fields the table uses). */
interface LewcResult {
  curve: {
    barriers: { loss: number; accuracy: number; calibratedLoss: number };
    points: Array<{ accuracy: number; beta: number }>;
  };
  layers: Array<{ tap: string; cosine: Record<string, { mean: number }> }>;
  orthogonality: Array<{ weight: string; ratioBonA: number; ratioAonB: number }>;
}

/** MNIST's training images: with the batch size, the steps of an epoch. */
const MNIST_TRAIN = 60000;

/** One width, training setting and alignment: the pair's barriers, LEWC and orthogonality. */
export interface WidthRow {
  width: number;
  weightDecay: number;
  /** `none` (the pair as trained: the paper's setting) or `weight` (weight matching). */
  method: string;
  epochs: number;
  batchSize: number;
  /** Optimiser steps: epochs × minibatches per epoch, how long weight decay acted. */
  steps: number;
  accuracyA: number;
  accuracyB: number;
  accuracyBarrier: number;
  lossBarrier: number;
  calibratedLossBarrier: number;
  /** The fitted inverse temperature at λ = ½. */
  midpointBeta: number;
  lewcCosine: Array<{ tap: string; cosine: number }>;
  orthogonality: Array<{ weight: string; ratioBonA: number; ratioAonB: number }>;
}

/** The training setting of a row, as the table and figure name it. */
export function trainingLabel(r: Pick<WidthRow, 'weightDecay' | 'epochs' | 'batchSize' | 'steps'>): string {
  return `wd ${r.weightDecay}, ${r.epochs} ep × batch ${r.batchSize} (${r.steps.toLocaleString('en')} steps)`;
}

/**
 * The sweep's LEWC rows as table rows: by width, then training setting (larger weight decay
 * first, then fewer steps), then unaligned before weight-matched.
 */
export function widthRows(jobs: readonly SweepJob[], rows: readonly ResultRow[]): WidthRow[] {
  const out: WidthRow[] = [];
  for (const { inputs, align, a, metrics } of evaluationsOf(jobs, rows)) {
    if (inputs.metric !== 'lewc') continue;
    const { curve, layers, orthogonality } = metrics as unknown as LewcResult;
    const mid = curve.points[Math.floor(curve.points.length / 2)];
    const images = a.train.trainLimit ?? MNIST_TRAIN;
    out.push({
      width: (a.config.hidden as number[])[0],
      weightDecay: a.train.weightDecay ?? 0,
      method: align.method,
      epochs: a.train.epochs,
      batchSize: a.train.batchSize,
      steps: a.train.epochs * Math.ceil(images / a.train.batchSize),
      accuracyA: curve.points[0].accuracy,
      accuracyB: curve.points[curve.points.length - 1].accuracy,
      accuracyBarrier: curve.barriers.accuracy,
      lossBarrier: curve.barriers.loss,
      calibratedLossBarrier: curve.barriers.calibratedLoss,
      midpointBeta: mid.beta,
      lewcCosine: layers.map((l) => ({ tap: l.tap, cosine: l.cosine['0.5'].mean })),
      orthogonality,
    });
  }
  const methods = ['none', 'weight'];
  return out.sort(
    (x, y) =>
      x.width - y.width ||
      y.weightDecay - x.weightDecay ||
      x.steps - y.steps ||
      methods.indexOf(x.method) - methods.indexOf(y.method),
  );
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const logitsCosine = (r: WidthRow) => r.lewcCosine.find((l) => l.tap === 'logits')?.cosine ?? NaN;
/** The reciprocal-orthogonality ratio averaged over the dense layers after the first. */
const hiddenOrthogonality = (r: WidthRow) => mean(r.orthogonality.slice(1).map((o) => (o.ratioBonA + o.ratioAonB) / 2));

/** The rows as a Markdown table. */
export function widthTable(rows: readonly WidthRow[]): string {
  return markdownTable(
    [
      'width',
      'training',
      'alignment',
      'acc A / B (%)',
      'acc barrier (pts)',
      'loss barrier',
      'calibrated loss barrier',
      'β at λ=½',
      'LEWC cos (mean over layers)',
      'LEWC cos (logits)',
      'orthogonality ratio (layers ≥ 2)',
    ],
    rows.map((r) => [
      r.width,
      trainingLabel(r),
      r.method === 'none' ? 'none' : 'weight matching',
      `${(r.accuracyA * 100).toFixed(2)} / ${(r.accuracyB * 100).toFixed(2)}`,
      (r.accuracyBarrier * 100).toFixed(2),
      r.lossBarrier.toFixed(3),
      r.calibratedLossBarrier.toFixed(3),
      r.midpointBeta.toFixed(2),
      mean(r.lewcCosine.map((l) => l.cosine)).toFixed(3),
      logitsCosine(r).toFixed(3),
      hiddenOrthogonality(r).toFixed(3),
    ]),
  );
}

/**
 * Barriers, LEWC and orthogonality against log2 width, one line per training setting and
 * alignment (weight-matched pairs dashed).
 */
export function widthFigure(rows: readonly WidthRow[]): string {
  const lines = [...new Map(rows.map((r) => [`${trainingLabel(r)}|${r.method}`, r])).values()];
  const series = (metric: (r: WidthRow) => number) =>
    lines.map((line) => {
      const mine = rows.filter((r) => trainingLabel(r) === trainingLabel(line) && r.method === line.method);
      return {
        name: `${trainingLabel(line)}${line.method === 'none' ? '' : ', weight-matched'}`,
        xs: mine.map((r) => Math.log2(r.width)),
        ys: mine.map(metric),
        dashed: line.method !== 'none',
      };
    });
  const xLabel = 'log2 width';
  return linePlotSvg(
    [
      { title: 'accuracy barrier', xLabel, yLabel: 'points', series: series((r) => r.accuracyBarrier * 100) },
      { title: 'loss barrier: raw', xLabel, yLabel: 'cross-entropy', series: series((r) => r.lossBarrier) },
      {
        title: 'loss barrier: calibrated',
        xLabel,
        yLabel: 'cross-entropy',
        series: series((r) => r.calibratedLossBarrier),
      },
      { title: 'LEWC cosine at the logits', xLabel, yLabel: 'cos', series: series(logitsCosine) },
      { title: 'reciprocal orthogonality', xLabel, yLabel: '‖W_B z_A‖/‖W_A z_A‖', series: series(hiddenOrthogonality) },
    ],
    'Bias-free MLPs on MNIST without permutations and weight-matched: barriers and LEWC against width',
  );
}

/** The reproduction's analysis: table.md and width.svg from the sweep's rows. */
export function ito2025Analysis(input: ReproductionInput): ReproductionAnalysis {
  const rows = widthRows(input.jobs, input.rows);
  const cell = input.cells[0];
  const note = [
    `Bias-free ReLU MLPs 784-w-w-10 on MNIST, seeds 0 and 1, ${cell.train.epochs} epochs of SGD (lr ${cell.train.learningRate}, momentum ${cell.train.momentum}, batch ${cell.train.batchSize}${cell.train.trainLimit ? `, first ${cell.train.trainLimit} training images` : ''});`,
    `each pair unaligned (no permutation, the paper's setting) and weight-matched; ${cell.points}-point paths on ${cell.testLimit ?? 'all 10,000'} test images, the temperature fitted per point on ${cell.statSamples} training images.`,
  ].join(' ');
  const text = `${widthTable(rows)}\n\n${note}\n`;
  return { rows, text, files: { 'table.md': text, 'width.svg': widthFigure(rows) } };
}
