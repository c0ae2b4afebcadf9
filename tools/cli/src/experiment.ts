import {
  barrierCurve,
  BarrierCurve,
  disposeParams,
  evaluate,
  EvaluationBatches,
  ExperimentSpec,
  Params,
  ProgressSink,
  Registry,
  train,
  validateAgainst,
  writeFileAtomic,
  writeJsonAtomic,
} from '@weightspace/core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlignmentRecord, alignModels, writeAlignment } from './alignment';
import { loadModel, META_PROVENANCE, saveModel } from './checkpoint';
import { curvesSvg, table } from './curves';
import { assertInputsFit } from './inputs-fit';

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

export interface ExperimentIo {
  progress: ProgressSink;
  log: (line: string) => void;
}

/**
 * Trains A and B from the two seeds, aligns B to A, and evaluates naive and aligned
 * interpolation on the test split. Each finished stage is written to `spec.out` at once
 * (checkpoints, alignment, report), atomically; a rerun reuses a checkpoint whose recorded
 * provenance matches, so an interrupted run loses no finished training.
 */
export async function runExperiment(spec: ExperimentSpec, registry: Registry, backend: string, io: ExperimentIo): Promise<ExperimentReport> {
  const started = performance.now();
  const plugin = registry.architecture(spec.arch);
  const config = validateAgainst<unknown>(plugin.configSchema, spec.config, `experiment '${spec.name}' config for ${plugin.id}`);
  const data = await registry.dataset(spec.dataset).load({ trainLimit: spec.trainLimit, testLimit: spec.testLimit });
  assertInputsFit(plugin, config, data, `${plugin.id} config`);
  io.log(`dataset ${data.id}: ${data.train.count} train / ${data.test.count} test; arch ${plugin.id} ${JSON.stringify(config)}; backend ${backend}`);

  const models: Params[] = [];
  const seconds: number[] = [];
  const epochLosses: number[][] = [];
  const reused: boolean[] = [];
  for (const [k, seed] of spec.seeds.entries()) {
    const label = k === 0 ? 'a' : 'b';
    const file = join(spec.out, `${label}.safetensors`);
    const provenance = { arch: plugin.id, config, dataset: data.id, trainCount: data.train.count, seed, train: spec.train };
    const previous = existsSync(file) ? loadModel(file, registry, plugin.id) : undefined;
    if (previous && previous.metadata[META_PROVENANCE] === JSON.stringify(provenance)) {
      io.log(`reusing ${file} (same provenance)`);
      models.push(previous.params);
      seconds.push(0);
      epochLosses.push([]);
      reused.push(true);
      continue;
    }
    if (previous) disposeParams(previous.params);
    const initial = plugin.init(config, seed);
    const result = train(plugin, config, initial, data.train, { ...spec.train, seed, progress: io.progress, task: `train ${label.toUpperCase()}` });
    disposeParams(initial);
    saveModel(file, plugin, config, result.params, provenance);
    models.push(result.params);
    seconds.push(result.seconds);
    epochLosses.push(result.epochLosses);
    reused.push(false);
  }
  const [a, b] = models;

  const { record, aligned } = alignModels(registry, plugin, config, a, b, { ...spec.align, progress: io.progress });
  writeAlignment(spec.out, plugin, config, aligned, record, { arch: plugin.id, config, alignedTo: 'a.safetensors' });
  io.log(`aligned B to A with '${record.method}' in ${record.iterations} iterations, ${record.seconds.toFixed(2)} s (objective ${record.objectiveBefore.toFixed(2)} → ${record.objectiveAfter.toFixed(2)})`);

  const evalStarted = performance.now();
  const batches = EvaluationBatches.forModel(data.test, plugin, config);
  try {
    const endpoints = [
      { model: 'A', ...evaluate(plugin, config, a, batches) },
      { model: 'B', ...evaluate(plugin, config, b, batches) },
    ].map(({ model, loss, accuracy }) => ({ model, testLoss: loss, testAccuracy: accuracy }));
    const naive = barrierCurve(plugin, config, a, b, batches, { points: spec.interpolate.points, progress: io.progress, task: 'naive lerp' });
    const alignedCurve = barrierCurve(plugin, config, a, aligned, batches, { points: spec.interpolate.points, progress: io.progress, task: 'aligned lerp' });
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
  writeJsonAtomic(join(dir, 'report.json'), report);
  writeFileAtomic(join(dir, 'curves.svg'), curvesSvg({ naive: report.curves.naive, [`aligned (${report.alignment.method})`]: report.curves.aligned }, report.name));
  const endpoints = report.endpoints.map((e) => `| ${e.model} | ${e.testLoss.toFixed(4)} | ${(e.testAccuracy * 100).toFixed(2)} |`).join('\n');
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
