#!/usr/bin/env node
/**
 * Reproduction: layerwise linear feature connectivity on MNIST MLPs (Zhou et al. 2023).
 *
 * MLP 784-512-512-512-10, Adam 1e-3, batch 512. Three pairs:
 * - spawned: a parent trained 1 epoch (seed 10), forked into two children trained 5 more epochs
 *   with different data orders (seeds 11, 12);
 * - weight-matched: two independent 5-epoch runs (seeds 0, 1), B aligned to A by weight matching;
 * - naive: the same two runs, unaligned.
 * For each pair: LLFC per layer at α ∈ {0.25, 0.5, 0.75} on the 10,000 test images (Dis against
 * the A-vs-B baseline, scale c, weak additivity, commutativity) and the 11-point barrier curve.
 *
 * Usage: node tools/cli/dist/reproductions/llfc.js [--out reports/llfc] [--jobs 2] [--smoke]
 * (--smoke: the smallest configuration, for checking the pipeline: MLP 784-64-64-10 trained on the
 * first 6,000 training images for 1 + 2 (spawned) and 3 (independent) epochs; 1,000 test images.)
 */
import {
  barrierCurve,
  disposeParams,
  EvaluationBatches,
  linePlotSvg,
  llfc,
  type LlfcReport,
  type Params,
  planAligner,
  transform,
  writeFileAtomic,
} from '@weightspace/core';
import { writeResult } from '../results/result-files';
import { join } from 'node:path';
import { loadModel } from '../checkpoint';
import { table } from '../curves';
import { progressBar } from '../progress-bar';
import { startReproduction } from './runtime';
import { trainCheckpoints, type TrainingJob } from './training-jobs';

async function main(): Promise<void> {
  const { smoke, out, parallel, registry, backend, log } = await startReproduction('reports/llfc');
  const config = { input: 784, hidden: smoke ? [64, 64] : [512, 512, 512], classes: 10 };
  const epochs = smoke ? 3 : 5;
  const model = (name: string) => join(out, 'models', `${name}.safetensors`);
  const base = {
    arch: 'mlp',
    dataset: 'mnist',
    config,
    batchSize: smoke ? 128 : 512,
    learningRate: 1e-3,
    trainLimit: smoke ? 6000 : undefined,
  };
  const first: TrainingJob[] = [
    { ...base, file: model('parent'), seed: 10, epochs: 1 },
    { ...base, file: model('independent-a'), seed: 0, epochs },
    { ...base, file: model('independent-b'), seed: 1, epochs },
  ];
  const children: TrainingJob[] = [11, 12].map((seed) => ({
    ...base,
    file: model(`child-${seed}`),
    seed,
    epochs: smoke ? 2 : 5,
    init: model('parent'),
  }));
  const started = performance.now();
  const trained =
    (await trainCheckpoints(first, registry, backend, parallel, log)) +
    (await trainCheckpoints(children, registry, backend, parallel, log));
  const trainSeconds = (performance.now() - started) / 1000;
  log(`training: ${trained} models in ${trainSeconds.toFixed(0)} s`);

  const plugin = registry.architecture('mlp');
  const load = (name: string): Params => loadModel(model(name), registry, 'mlp').params;
  const [a, b, c1, c2] = ['independent-a', 'independent-b', 'child-11', 'child-12'].map(load);
  const spec = plugin.symmetry(config);
  const align = planAligner(spec, registry.matchers(), 'weight');
  const aligned = transform(b, spec, align(a, b, 0));
  const data = await registry.dataset('mnist').load({ trainLimit: 1, testLimit: smoke ? 1000 : undefined });
  const test = EvaluationBatches.from(data.test, [784]);
  const pairs: Array<[string, Params, Params]> = [
    ['spawned', c1, c2],
    ['weight-matched', a, aligned],
    ['naive', a, b],
  ];
  const results: Record<string, { llfc: LlfcReport; barriers: ReturnType<typeof barrierCurve>['barriers'] }> = {};
  for (const [name, x, y] of pairs) {
    const curve = barrierCurve(plugin, config, x, y, test, {
      points: 11,
      progress: progressBar(),
      task: `${name} lerp`,
    });
    results[name] = { llfc: llfc(plugin, config, x, y, test, { progress: progressBar() }), barriers: curve.barriers };
    writeResult(join(out, 'results.json'), 'reproduction', { reproduction: 'llfc', config, trainSeconds, results });
  }
  test.dispose();
  [a, b, c1, c2, aligned].forEach(disposeParams);
  writeSummary(out, results);
}

function writeSummary(
  out: string,
  results: Record<string, { llfc: LlfcReport; barriers: { loss: number; accuracy: number } }>,
): void {
  const names = Object.keys(results);
  const taps = results[names[0]].llfc.layers.map((l) => l.tap);
  const f = (v: number) => v.toFixed(4);
  const rows = taps.map((tap, i) => [
    tap,
    ...names.flatMap((n) => {
      const layer = results[n].llfc.layers[i];
      return [
        f(layer.baseline.mean),
        f(layer.dis['0.25'].mean),
        f(layer.dis['0.5'].mean),
        f(layer.dis['0.75'].mean),
        f(layer.scale['0.5']),
      ];
    }),
  ]);
  const header = ['layer', ...names.flatMap((n) => [`${n}: baseline`, 'Dis .25', 'Dis .5', 'Dis .75', 'c .5'])];
  const com = results[names[0]].llfc.commutativity.map((c, i) => [
    c.weight,
    ...names.flatMap((n) => [
      f(results[n].llfc.commutativity[i].distCom),
      f(results[n].llfc.commutativity[i].distW),
      f(results[n].llfc.commutativity[i].distH),
    ]),
  ]);
  const weak = results[names[0]].llfc.weakAdditivity.map((w, i) => [
    w.activation,
    ...names.map((n) => f(results[n].llfc.weakAdditivity[i].alphas['0.5'].normalisedDistance)),
  ]);
  const barrierRows = names.map((n) => [
    n,
    f(results[n].barriers.loss),
    (results[n].barriers.accuracy * 100).toFixed(2),
  ]);
  const md = (h: string[], r: Array<Array<string | number>>) =>
    [`| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`, ...r.map((x) => `| ${x.join(' | ')} |`)].join('\n');
  const text = [
    md(['pair', 'loss barrier', 'accuracy barrier (pts)'], barrierRows),
    md(header, rows),
    md(['dense layer', ...names.flatMap((n) => [`${n}: dist_com`, 'dist_W', 'dist_H'])], com),
    md(['ReLU', ...names.map((n) => `${n}: weak additivity (norm. sq. dist., α=.5)`)], weak),
  ].join('\n\n');
  writeFileAtomic(join(out, 'table.md'), `${text}\n`);
  const xs = taps.map((_, i) => i);
  writeFileAtomic(
    join(out, 'llfc.svg'),
    linePlotSvg(
      names.map((n) => ({
        title: `${n} pair`,
        xLabel: 'layer',
        categories: taps.map((tap, i) => (i === taps.length - 1 ? 'logits' : tap)),
        yLabel: '1 − |cos|',
        series: [
          { name: 'baseline A vs B', xs, ys: results[n].llfc.layers.map((l) => l.baseline.mean), dashed: true },
          ...['0.25', '0.5', '0.75'].map((al) => ({
            name: `Dis α = ${al}`,
            xs,
            ys: results[n].llfc.layers.map((l) => l.dis[al].mean),
          })),
        ],
      })),
      'LLFC on MNIST MLPs: E[Dis_α] per layer against the A-vs-B baseline',
    ),
  );
  process.stdout.write(
    `${table(['pair', 'loss barrier', 'acc barrier'], barrierRows)}\n\n${text}\n\nwrote ${join(out, 'results.json')}, table.md and llfc.svg\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`reproduce-llfc: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
