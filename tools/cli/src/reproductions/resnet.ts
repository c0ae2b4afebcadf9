#!/usr/bin/env node
/**
 * Reproduction: aligning BatchNorm ResNets of growing width on Fashion-MNIST (Git Re-Basin's
 * width trend; BN reset and REPAIR).
 *
 * Default budget (about an hour on 2 cores, wasm): the ResNet-20 family at depth 8 (one block per
 * stage) with a stride-2 stem (feature maps of 14, 7 and 4 pixels), widths 1, 2 and 4, BatchNorm,
 * two models per width (seeds 0 and 1) trained on the first 5,000 training images for 3 epochs
 * (Adam 1e-3, batch 64). Interpolation paths of 5 points
 * (t = 0, ¼, ½, ¾, 1) on the first 1,000 test images; BN reset and REPAIR statistics, activation
 * statistics and the straight-through estimator's steps (30 of batch 100) use the first 500
 * training images. `--full`: depth 20 with the CIFAR stem (stride 1), widths 1, 2, 4 and 8, all 59,998 training images,
 * 10 epochs, 9-point paths on the 10,000 test images, 5,000 samples for statistics, 300 STE steps.
 *
 * For each width and each of naive, weight, activation and STE alignment: midpoint and max loss
 * barriers and the accuracy barrier of the plain interpolation, after BN reset, and after REPAIR.
 *
 * Usage: node tools/cli/dist/reproductions/resnet.js [--out reports/resnet] [--jobs 2] [--full | --smoke] [--widths 1,2]
 * (--smoke: the smallest configuration, for checking the pipeline: depth 8, width 1, one epoch on the
 * first 2,000 training images, 3-point paths on 300 test images, statistics on 300, 3 STE steps.)
 */
import {
  barrierCurve,
  disposeParams,
  EvaluationBatches,
  headOf,
  linePlotSvg,
  meanStd,
  type MatchData,
  type Params,
  planAligner,
  transform,
  writeFileAtomic,
} from '@weightspace/core';
import { writeResult } from '../results/result-files';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../checkpoint';
import { corrector } from '../corrections';
import { table } from '../curves';
import { progressBar } from '../progress-bar';
import { earlierResults } from './earlier-results';
import { reproductionRuntime } from './runtime';
import { trainCheckpoints, type TrainingJob } from './training-jobs';

const METHODS = ['naive', 'weight', 'activation', 'ste'] as const;
const CORRECTIONS = ['plain', 'BN reset', 'REPAIR'] as const;

interface Barrier {
  midpoint: number;
  max: number;
  accuracy: number;
}

interface Row {
  width: number;
  method: (typeof METHODS)[number];
  accuracies: [number, number];
  barriers: Record<(typeof CORRECTIONS)[number], Barrier>;
  alignSeconds: number;
}

interface Scale {
  depth: number;
  stemStride: 1 | 2;
  widths: number[];
  trainLimit: number | undefined;
  epochs: number;
  points: number;
  testLimit: number;
  statSamples: number;
  steSteps: number;
}

const SCALES: Record<'full' | 'default' | 'smoke', Scale> = {
  full: {
    depth: 20,
    stemStride: 1,
    widths: [1, 2, 4, 8],
    trainLimit: undefined,
    epochs: 10,
    points: 9,
    testLimit: 10000,
    statSamples: 5000,
    steSteps: 300,
  },
  default: {
    depth: 8,
    stemStride: 2,
    widths: [1, 2, 4],
    trainLimit: 5000,
    epochs: 3,
    points: 5,
    testLimit: 1000,
    statSamples: 500,
    steSteps: 30,
  },
  smoke: {
    depth: 8,
    stemStride: 2,
    widths: [1],
    trainLimit: 2000,
    epochs: 1,
    points: 3,
    testLimit: 300,
    statSamples: 300,
    steSteps: 3,
  },
};

function scaleOf(size: keyof typeof SCALES, widths: string | undefined): Scale {
  const scale = SCALES[size];
  return widths ? { ...scale, widths: widths.split(',').map(Number) } : scale;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'reports/resnet' },
      jobs: { type: 'string', default: '2' },
      full: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      widths: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const scale = scaleOf(values.full ? 'full' : values.smoke ? 'smoke' : 'default', values.widths as string | undefined);
  const out = resolve(values.out as string);
  const { registry, backend, log } = await reproductionRuntime(values.backend as string | undefined);
  const configOf = (width: number) => ({
    input: [28, 28, 1],
    classes: 10,
    width,
    norm: 'batchnorm',
    depth: scale.depth,
    stemStride: scale.stemStride,
  });
  const file = (width: number, seed: number) =>
    join(out, 'models', `resnet-d${scale.depth}-stem${scale.stemStride}-w${width}-s${seed}.safetensors`);
  // Widest first: the longest jobs start together and the short ones fill in.
  const jobs: TrainingJob[] = [...scale.widths]
    .sort((x, y) => y - x)
    .flatMap((width) =>
      [0, 1].map((seed) => ({
        file: file(width, seed),
        arch: 'resnet20',
        dataset: 'fashion-mnist',
        config: configOf(width),
        seed,
        epochs: scale.epochs,
        batchSize: 64,
        learningRate: 1e-3,
        trainLimit: scale.trainLimit,
      })),
    );
  const started = performance.now();
  const trained = await trainCheckpoints(jobs, registry, backend, Number(values.jobs), log);
  const trainSeconds = (performance.now() - started) / 1000;
  log(`training: ${trained} models in ${trainSeconds.toFixed(0)} s`);

  const resultsFile = join(out, 'results.json');
  // Rows of an earlier run are reused under the same scale, whatever widths it covered.
  const settings = { ...scale, widths: undefined };
  const rows = earlierResults<Row>(resultsFile, settings, 'rows');
  const data = await registry
    .dataset('fashion-mnist')
    .load({ trainLimit: scale.statSamples, testLimit: scale.testLimit });
  const plugin = registry.architecture('resnet20');
  const test = EvaluationBatches.from(data.test, [28, 28, 1], 250);
  const stats = EvaluationBatches.from(headOf(data.train, scale.statSamples, 784), [28, 28, 1], 250);
  const evalStarted = performance.now();
  for (const width of scale.widths) {
    const config = configOf(width);
    const spec = plugin.symmetry(config);
    const [a, b] = [0, 1].map((seed) => loadModel(file(width, seed), registry, 'resnet20'));
    const matchData: MatchData = {
      plugin,
      config,
      train: data.train,
      samples: scale.statSamples,
      batchSize: 100,
      steps: scale.steSteps,
    };
    for (const method of METHODS) {
      if (rows.some((r) => r.width === width && r.method === method)) continue;
      const alignStarted = performance.now();
      const moved: Params =
        method === 'naive'
          ? b.params
          : transform(
              b.params,
              spec,
              planAligner(spec, registry.matchers(), method, { data: matchData, progress: progressBar() })(
                a.params,
                b.params,
                0,
              ),
            );
      const alignSeconds = (performance.now() - alignStarted) / 1000;
      const corrections: Record<(typeof CORRECTIONS)[number], ((m: Params, t: number) => Params) | undefined> = {
        plain: undefined,
        'BN reset': corrector('bn-reset', plugin, config, a.params, moved, stats),
        REPAIR: corrector('repair', plugin, config, a.params, moved, stats),
      };
      const barriers = {} as Row['barriers'];
      let accuracies: [number, number] = [0, 0];
      for (const correction of CORRECTIONS) {
        const curve = barrierCurve(plugin, config, a.params, moved, test, {
          points: scale.points,
          correct: corrections[correction],
          progress: progressBar(),
          task: `w${width} ${method} ${correction}`,
        });
        barriers[correction] = {
          midpoint: curve.barriers.midpointLoss as number,
          max: curve.barriers.loss,
          accuracy: curve.barriers.accuracy,
        };
        accuracies = [curve.points[0].accuracy, curve.points[curve.points.length - 1].accuracy];
      }
      if (moved !== b.params) disposeParams(moved);
      rows.push({ width, method, accuracies, barriers, alignSeconds });
      writeResult(resultsFile, 'reproduction', { reproduction: 'resnet', settings, scale, trainSeconds, rows });
      log(
        `width ${width} ${method}: midpoint loss barrier ${CORRECTIONS.map((c) => `${c} ${barriers[c].midpoint.toFixed(3)}`).join(', ')}`,
      );
    }
    disposeParams(a.params);
    disposeParams(b.params);
  }
  log(`evaluation: ${((performance.now() - evalStarted) / 1000).toFixed(0)} s`);
  test.dispose();
  stats.dispose();
  writeSummary(out, rows, scale);
}

function writeSummary(out: string, rows: Row[], scale: Scale): void {
  const header = ['width', 'method', 'acc A / B (%)', ...CORRECTIONS.map((c) => `${c}: mid / max loss, acc (pts)`)];
  const body = rows.map((r) => [
    r.width,
    r.method,
    `${(r.accuracies[0] * 100).toFixed(1)} / ${(r.accuracies[1] * 100).toFixed(1)}`,
    ...CORRECTIONS.map(
      (c) =>
        `${r.barriers[c].midpoint.toFixed(3)} / ${r.barriers[c].max.toFixed(3)}, ${(r.barriers[c].accuracy * 100).toFixed(1)}`,
    ),
  ]);
  const md = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const note = `ResNet (depth ${scale.depth}, stem stride ${scale.stemStride}, BatchNorm) on Fashion-MNIST, ${scale.trainLimit ?? 'all'} training images, ${scale.epochs} epochs; ${scale.points}-point paths on ${scale.testLimit} test images; statistics on ${scale.statSamples} training images.`;
  writeFileAtomic(join(out, 'table.md'), `${md}\n\n${note}\n`);
  const widths = [...new Set(rows.map((r) => r.width))].sort((x, y) => x - y);
  const panel = (correction: (typeof CORRECTIONS)[number]) => ({
    title: correction,
    xLabel: 'width multiplier',
    yLabel: 'midpoint loss barrier',
    // One point per width: the mean ± std over the pairs measured at it.
    series: METHODS.map((method) => {
      const points = widths.flatMap((w) => {
        const at = rows.filter((r) => r.width === w && r.method === method).map((r) => r.barriers[correction].midpoint);
        return at.length ? [{ w, ...meanStd(at) }] : [];
      });
      return {
        name: method,
        xs: points.map((p) => p.w),
        ys: points.map((p) => p.mean),
        errors: points.map((p) => p.std),
      };
    }),
  });
  writeFileAtomic(
    join(out, 'resnet-barriers.svg'),
    linePlotSvg(
      CORRECTIONS.map(panel),
      `ResNet-${scale.depth} (BatchNorm) on Fashion-MNIST: midpoint loss barrier vs width`,
    ),
  );
  process.stdout.write(`${table(header, body)}\n${note}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`reproduce-resnet: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
