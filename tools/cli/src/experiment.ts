import {
  type BarrierCurve,
  ConfigError,
  disposeParams,
  evaluate,
  EvaluationBatches,
  barrierCurveInThreads,
  trainInThreads,
  workerPool,
  paramsFromHost,
  type Params,
  type ProgressSink,
  type Registry,
  validateAgainst,
  writeFileAtomic,
} from '@weightspace/core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AlignmentRecord, alignModels, writeAlignment } from './alignment';
import type { ExperimentSpec } from './experiment-schema';
import { loadModel, META_PROVENANCE, saveModel } from './checkpoint';
import { curvesSvg, table } from './curves';
import { assertInputsFit } from './inputs-fit';
import { registrySource } from './modules';
import { writeResult } from './results/result-files';

/**
 * The report of an experiment (`run`, `demo`): settings, endpoints, the alignment, both curves,
 * timings and peak memory; written as report.json.
 */
export interface ExperimentReport {
  name: string;
  arch: string;
  config: unknown;
  dataset: { id: string; train: number; test: number };
  backend: string;
  seeds: [number, number];
  train: ExperimentSpec['train'] & { seconds: number[]; epochLosses: number[][]; reused: boolean[] };
  endpoints: Array<{ model: string; testLoss: number; testAccuracy: number }>;
  alignment: AlignmentRecord;
  curves: { naive: BarrierCurve; aligned: BarrierCurve };
  seconds: { total: number; evaluation: number };
  peakRssMb: number;
}

/** Where an experiment reports progress and logs, and how many worker threads it may use. */
export interface ExperimentIo {
  progress: ProgressSink;
  log: (line: string) => void;
  /** Worker threads for training the pair and evaluating curves (default: one per core, at most 2). */
  threads?: number;
}

/**
 * Trains A and B from the two seeds, aligns B to A, and evaluates naive and aligned
 * interpolation on the test split. Each finished stage is written to `spec.out` at once
 * (checkpoints, alignment, report), atomically; a rerun reuses a checkpoint whose recorded
 * provenance matches, so an interrupted run loses no finished training.
 */
export async function runExperiment(
  spec: ExperimentSpec,
  registry: Registry,
  backend: string,
  io: ExperimentIo,
): Promise<ExperimentReport> {
  const started = performance.now();
  const plugin = registry.architecture(spec.arch);
  const config = validateAgainst<unknown>(
    plugin.configSchema,
    spec.config,
    `experiment '${spec.name}' config for ${plugin.id}`,
  );
  // Everything that can be checked before training is: the matcher exists and handles the groups.
  const matcher = registry.matcher(spec.align.method);
  if (matcher.needsData) {
    throw new ConfigError(
      `experiment '${spec.name}': align.method '${matcher.id}' needs training data, which run does not give it; use 'weight'`,
    );
  }
  const data = await registry.dataset(spec.dataset).load({ trainLimit: spec.trainLimit, testLimit: spec.testLimit });
  assertInputsFit(plugin, config, data, `${plugin.id} config`);
  io.log(
    `dataset ${data.id}: ${data.train.count} train / ${data.test.count} test; arch ${plugin.id} ${JSON.stringify(config)}; backend ${backend}`,
  );

  // Checkpoints whose recorded provenance matches are reused; the others are trained at once,
  // one worker thread each.
  const labels = spec.seeds.map((_, k) => (k === 0 ? 'a' : 'b'));
  const provenances = spec.seeds.map((seed) => ({
    arch: plugin.id,
    config,
    dataset: data.id,
    trainCount: data.train.count,
    seed,
    train: spec.train,
  }));
  const models: Array<Params | undefined> = labels.map((label, k) => {
    const file = join(spec.out, `${label}.safetensors`);
    if (!existsSync(file)) return undefined;
    const previous = loadModel(file, registry, plugin.id);
    if (previous.metadata[META_PROVENANCE] === JSON.stringify(provenances[k])) {
      io.log(`reusing ${file} (same provenance)`);
      return previous.params;
    }
    disposeParams(previous.params);
    return undefined;
  });
  const todo = labels.flatMap((_, k) => (models[k] ? [] : [k]));
  const trained = await trainInThreads(
    // Each thread initialises its model from the seed it trains with.
    todo.map((k) => ({
      label: `train ${labels[k].toUpperCase()}`,
      registry: registrySource,
      backend,
      arch: plugin.id,
      config,
      train: data.train,
      options: { ...spec.train, seed: spec.seeds[k] },
    })),
    io.progress,
    io.threads,
  );
  const seconds = labels.map(() => 0);
  const epochLosses: number[][] = labels.map(() => []);
  todo.forEach((k, i) => {
    const params = paramsFromHost(trained[i].params);
    saveModel(join(spec.out, `${labels[k]}.safetensors`), plugin, config, params, provenances[k]);
    models[k] = params;
    seconds[k] = trained[i].seconds;
    epochLosses[k] = trained[i].epochLosses;
  });
  const reused = labels.map((_, k) => !todo.includes(k));
  const [a, b] = models as Params[];

  const { record, aligned } = alignModels(registry, plugin, config, a, b, { ...spec.align, progress: io.progress });
  writeAlignment(spec.out, plugin, config, aligned, record, { arch: plugin.id, config, alignedTo: 'a.safetensors' });
  io.log(
    `aligned B to A with '${record.method}' in ${record.iterations} iterations, ${record.seconds.toFixed(2)} s (objective ${record.objectiveBefore.toFixed(2)} → ${record.objectiveAfter.toFixed(2)})`,
  );

  const evalStarted = performance.now();
  const batches = EvaluationBatches.forModel(data.test, plugin, config);
  try {
    const endpoints = [
      { model: 'A', ...evaluate(plugin, config, a, batches) },
      { model: 'B', ...evaluate(plugin, config, b, batches) },
    ].map(({ model, loss, accuracy }) => ({ model, testLoss: loss, testAccuracy: accuracy }));
    const pool = workerPool(io.threads);
    const curve = (other: Params, task: string) =>
      barrierCurveInThreads(plugin, config, a, other, data.test, {
        registry: registrySource,
        backend,
        points: spec.interpolate.points,
        progress: io.progress,
        task,
        pool,
      });
    let naive: BarrierCurve;
    let alignedCurve: BarrierCurve;
    try {
      naive = await curve(b, 'naive lerp');
      alignedCurve = await curve(aligned, 'aligned lerp');
    } finally {
      await pool.close();
    }
    const report: ExperimentReport = {
      name: spec.name,
      arch: plugin.id,
      config,
      dataset: { id: data.id, train: data.train.count, test: data.test.count },
      backend,
      seeds: spec.seeds,
      train: { ...spec.train, seconds, epochLosses, reused },
      endpoints,
      alignment: record,
      curves: { naive, aligned: alignedCurve },
      seconds: { total: (performance.now() - started) / 1000, evaluation: (performance.now() - evalStarted) / 1000 },
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    writeReport(spec.out, report);
    return report;
  } finally {
    batches.dispose();
    disposeParams(a);
    disposeParams(b);
    disposeParams(aligned);
  }
}

/** The summary table of a report, as printed and as written to report.md. */
export function summaryTable(report: ExperimentReport): string {
  const row = (name: string, c: BarrierCurve) => [
    name,
    c.barriers.loss.toFixed(4),
    `${(c.barriers.accuracy * 100).toFixed(2)}`,
    (c.barriers.midpointLoss ?? NaN).toFixed(4),
    `${(c.points[Math.floor(c.points.length / 2)].accuracy * 100).toFixed(2)}`,
  ];
  return table(
    ['interpolation', 'loss barrier', 'acc barrier (pts)', 'midpoint loss barrier', 'midpoint acc (%)'],
    [row('naive', report.curves.naive), row('weight-matched', report.curves.aligned)],
  );
}

function writeReport(dir: string, report: ExperimentReport): void {
  writeResult(join(dir, 'report.json'), 'report', report);
  writeFileAtomic(
    join(dir, 'curves.svg'),
    curvesSvg(
      { naive: report.curves.naive, [`aligned (${report.alignment.method})`]: report.curves.aligned },
      report.name,
    ),
  );
  const endpoints = report.endpoints
    .map((e) => `| ${e.model} | ${e.testLoss.toFixed(4)} | ${(e.testAccuracy * 100).toFixed(2)} |`)
    .join('\n');
  const md = `# ${report.name}

- architecture: \`${report.arch}\` ${JSON.stringify(report.config)}
- dataset: ${report.dataset.id} (${report.dataset.train} train / ${report.dataset.test} test), backend ${report.backend}
- seeds: ${report.seeds.join(', ')}; ${report.train.epochs} epochs, batch ${report.train.batchSize}, Adam lr ${report.train.learningRate}
- alignment: ${report.alignment.method}, ${report.alignment.iterations} iterations, ${report.alignment.seconds.toFixed(2)} s
- total ${report.seconds.total.toFixed(1)} s, peak RSS ${report.peakRssMb.toFixed(0)} MB

| model | test loss | test accuracy (%) |
|---|---|---|
${endpoints}

\`\`\`
${summaryTable(report)}
\`\`\`

![curves](curves.svg)
`;
  writeFileAtomic(join(dir, 'report.md'), md);
}
