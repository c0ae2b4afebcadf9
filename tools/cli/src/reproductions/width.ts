#!/usr/bin/env node
/**
 * Reproduction: width against permutations (Ito et al. 2025): do wide networks connect linearly
 * without any permutation once the softmax temperature is recalibrated?
 *
 * Bias-free ReLU MLPs 784-w-w-10 for w = 64·k, k ∈ {1, 2, 4, 8, 16}, two seeds each, trained with
 * SGD (momentum 0.9, lr 0.1, batch 512, 8 epochs by default) and weight decay 3e-3, with a 1e-4
 * control. For each width and decay, with no alignment: the accuracy barrier, the raw and the
 * temperature-calibrated loss barrier (one inverse temperature per point, fitted on 5,000
 * training images), on a 5-point path over the 10,000 test images; LEWC at λ = ½ (cosine per
 * layer) and the reciprocal-orthogonality ratio per dense layer.
 *
 * Usage: node tools/cli/dist/reproductions/width.js [--out reports/width] [--jobs 2] [--epochs 8] [--full | --smoke]
 * (--full: 30 epochs and 25 interpolation points. --smoke: the smallest configuration, for checking
 * the pipeline: widths 32 and 64, 2 epochs on the first 6,000 training images, 3-point paths on
 * 1,000 test images, calibration on 1,000 training images.)
 */
import { barrierCurve, disposeParams, EvaluationBatches, lewc, linePlotSvg, writeFileAtomic } from '@weightspace/core';
import { writeResult } from '../results/result-files';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../checkpoint';
import { table } from '../curves';
import { progressBar } from '../progress-bar';
import { earlierResults } from './earlier-results';
import { reproductionRuntime } from './runtime';
import { trainCheckpoints, type TrainingJob } from './training-jobs';

const WIDTHS = [64, 128, 256, 512, 1024];
const SMOKE_WIDTHS = [32, 64];
const DECAYS = [3e-3, 1e-4];

interface Row {
  key: string;
  width: number;
  weightDecay: number;
  accuracyA: number;
  accuracyB: number;
  accuracyBarrier: number;
  lossBarrier: number;
  calibratedLossBarrier: number;
  midpointBeta: number;
  lewcCosine: Array<{ tap: string; cosine: number }>;
  orthogonality: Array<{ weight: string; ratioBonA: number; ratioAonB: number }>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'reports/width' },
      jobs: { type: 'string', default: '2' },
      epochs: { type: 'string' },
      full: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      backend: { type: 'string' },
    },
  });
  const full = values.full as boolean;
  const smoke = values.smoke as boolean;
  const out = resolve(values.out as string);
  const epochs = Number(values.epochs ?? (full ? 30 : smoke ? 2 : 8));
  const points = full ? 25 : smoke ? 3 : 5;
  const widths = smoke ? SMOKE_WIDTHS : WIDTHS;
  const trainLimit = smoke ? 6000 : undefined;
  const testLimit = smoke ? 1000 : undefined;
  const calibrationLimit = smoke ? 1000 : 5000;
  const { registry, backend, log } = await reproductionRuntime(values.backend as string | undefined);
  const configOf = (width: number) => ({ input: 784, hidden: [width, width], classes: 10, bias: false });
  const file = (width: number, decay: number, seed: number) =>
    join(out, 'models', `w${width}-wd${decay}-s${seed}.safetensors`);
  const jobs: TrainingJob[] = [];
  // Widest first, so the two processes stay busy to the end.
  for (const width of [...widths].reverse()) {
    for (const decay of DECAYS) {
      for (const seed of [0, 1]) {
        jobs.push({
          file: file(width, decay, seed),
          arch: 'mlp',
          dataset: 'mnist',
          config: configOf(width),
          seed,
          epochs,
          batchSize: 512,
          learningRate: 0.1,
          optimizer: 'sgd',
          momentum: 0.9,
          weightDecay: decay,
          trainLimit,
        });
      }
    }
  }
  const started = performance.now();
  const trained = await trainCheckpoints(jobs, registry, backend, Number(values.jobs), log);
  const trainSeconds = (performance.now() - started) / 1000;
  log(`training: ${trained} models in ${trainSeconds.toFixed(0)} s`);

  const resultsFile = join(out, 'results.json');
  const settings = { epochs, points, trainLimit, testLimit, calibrationLimit };
  const rows = earlierResults<Row>(resultsFile, settings, 'rows');
  const plugin = registry.architecture('mlp');
  const data = await registry.dataset('mnist').load({ trainLimit: calibrationLimit, testLimit });
  const test = EvaluationBatches.from(data.test, [784]);
  const calibration = EvaluationBatches.from(data.train, [784]);
  for (const width of widths) {
    for (const decay of DECAYS) {
      const key = `w${width}/wd${decay}`;
      if (rows.some((r) => r.key === key)) continue;
      const config = configOf(width);
      const [a, b] = [0, 1].map((seed) => loadModel(file(width, decay, seed), registry, 'mlp').params);
      const curve = barrierCurve(plugin, config, a, b, test, {
        points,
        calibration,
        progress: progressBar(),
        task: `${key} lerp`,
      });
      const report = lewc(plugin, config, a, b, test, { lambdas: [0.5] });
      const mid = curve.points[Math.floor(curve.points.length / 2)];
      rows.push({
        key,
        width,
        weightDecay: decay,
        accuracyA: curve.points[0].accuracy,
        accuracyB: curve.points[curve.points.length - 1].accuracy,
        accuracyBarrier: curve.barriers.accuracy,
        lossBarrier: curve.barriers.loss,
        calibratedLossBarrier: curve.barriers.calibratedLoss as number,
        midpointBeta: mid.beta as number,
        lewcCosine: report.layers.map((l) => ({ tap: l.tap, cosine: l.cosine['0.5'].mean })),
        orthogonality: report.orthogonality,
      });
      writeResult(resultsFile, 'reproduction', { reproduction: 'width', settings, trainSeconds, rows });
      log(
        `${key}: acc barrier ${(curve.barriers.accuracy * 100).toFixed(2)} pts, loss barrier ${curve.barriers.loss.toFixed(3)} raw / ${(curve.barriers.calibratedLoss as number).toFixed(3)} calibrated`,
      );
      disposeParams(a);
      disposeParams(b);
    }
  }
  test.dispose();
  calibration.dispose();
  writeSummary(out, rows, epochs);
}

function writeSummary(out: string, rows: Row[], epochs: number): void {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const logitsCos = (r: Row) => r.lewcCosine.find((l) => l.tap === 'logits')?.cosine ?? NaN;
  const hiddenOrtho = (r: Row) => mean(r.orthogonality.slice(1).map((o) => (o.ratioBonA + o.ratioAonB) / 2));
  const header = [
    'width',
    'weight decay',
    'acc A / B (%)',
    'acc barrier (pts)',
    'loss barrier',
    'calibrated loss barrier',
    'β at λ=½',
    'LEWC cos (mean over layers)',
    'LEWC cos (logits)',
    'orthogonality ratio (layers ≥ 2)',
  ];
  const body = rows.map((r) => [
    r.width,
    r.weightDecay,
    `${(r.accuracyA * 100).toFixed(2)} / ${(r.accuracyB * 100).toFixed(2)}`,
    (r.accuracyBarrier * 100).toFixed(2),
    r.lossBarrier.toFixed(3),
    r.calibratedLossBarrier.toFixed(3),
    r.midpointBeta.toFixed(2),
    mean(r.lewcCosine.map((l) => l.cosine)).toFixed(3),
    logitsCos(r).toFixed(3),
    hiddenOrtho(r).toFixed(3),
  ]);
  const md = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  writeFileAtomic(join(out, 'table.md'), `${md}\n\n${epochs} epochs per model; no permutation applied.\n`);
  const series = (metric: (r: Row) => number) =>
    DECAYS.map((decay) => {
      const sel = rows.filter((r) => r.weightDecay === decay);
      return { name: `weight decay ${decay}`, xs: sel.map((r) => Math.log2(r.width)), ys: sel.map(metric) };
    });
  writeFileAtomic(
    join(out, 'width.svg'),
    linePlotSvg(
      [
        {
          title: 'accuracy barrier',
          xLabel: 'log2 width',
          yLabel: 'points',
          series: series((r) => r.accuracyBarrier * 100),
        },
        {
          title: 'loss barrier: raw',
          xLabel: 'log2 width',
          yLabel: 'cross-entropy',
          series: series((r) => r.lossBarrier),
        },
        {
          title: 'loss barrier: calibrated',
          xLabel: 'log2 width',
          yLabel: 'cross-entropy',
          series: series((r) => r.calibratedLossBarrier),
        },
        { title: 'LEWC cosine at the logits', xLabel: 'log2 width', yLabel: 'cos', series: series(logitsCos) },
        {
          title: 'reciprocal orthogonality',
          xLabel: 'log2 width',
          yLabel: '‖W_B z_A‖/‖W_A z_A‖',
          series: series(hiddenOrtho),
        },
      ],
      'Bias-free MLPs on MNIST without permutations: barriers and LEWC against width',
    ),
  );
  process.stdout.write(`${table(header, body)}\n\nwrote ${join(out, 'results.json')}, table.md and width.svg\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`reproduce-width: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
