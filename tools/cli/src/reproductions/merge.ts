#!/usr/bin/env node
/**
 * Reproduction: merging many MNIST MLPs (Franke et al. 2025 against Git Re-Basin's MergeMany).
 *
 * Trains N MLPs 784-512-512-10 from seeds 0..N-1 (N = 8, 16 with --full; 3 epochs, Adam 1e-3,
 * batch 512, two processes at a time), merges the first 2, 4, 8 (and 16) by naive averaging,
 * MergeMany and hierarchical re-basin (weight matching), and measures each merged model and each
 * base model: clean accuracy on the 10k test set; FGSM, PGD-10 (ε = 0.05, 0.1) and Gaussian-noise
 * (σ = 0.1, 0.3) accuracy on the first 2,000 test images (all 10k with --full); weight L2 norm;
 * Lipschitz upper bound. Results are written after every model (results.json, atomically) and a
 * rerun resumes from them; checkpoints are reused.
 *
 * Usage: node tools/cli/dist/reproductions/merge.js [--full | --smoke] [--out reports/merge] [--jobs 2] [--epochs 3]
 * (--smoke: the smallest configuration, for checking the pipeline: 4 MLPs 784-64-64-10 trained 2
 * epochs on the first 6,000 training images, merges of 2 and 4, 1,000 test images, 200 attacked.)
 */
import {
  averageMerge,
  disposeParams,
  hierarchicalMerge,
  linePlotSvg,
  mergeMany,
  type MergeResult,
  planAligner,
  robustness,
  type RobustnessReport,
  writeFileAtomic,
} from '@weightspace/core';
import { writeResult } from '../results/result-files';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../checkpoint';
import { table } from '../curves';
import { progressBar } from '../progress-bar';
import { earlierResults } from './earlier-results';
import { reproductionRuntime } from './runtime';
import { trainCheckpoints } from './training-jobs';

const METHODS = ['average', 'mergemany', 'hierarchical'] as const;
type Method = (typeof METHODS)[number];

interface Entry {
  key: string;
  kind: 'base' | Method;
  models: number;
  seconds: number;
  rounds: number;
  report: RobustnessReport;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string', default: 'reports/merge' },
      jobs: { type: 'string', default: '2' },
      epochs: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const full = values.full as boolean;
  const smoke = values.smoke as boolean;
  const out = resolve(values.out as string);
  const count = full ? 16 : smoke ? 4 : 8;
  const epochs = Number(values.epochs ?? (smoke ? 2 : 3));
  const sizes = full ? [2, 4, 8, 16] : smoke ? [2, 4] : [2, 4, 8];
  const attackLimit = full ? 10000 : smoke ? 200 : 2000;
  const trainLimit = smoke ? 6000 : undefined;
  const testLimit = smoke ? 1000 : undefined;
  const config = { input: 784, hidden: smoke ? [64, 64] : [512, 512], classes: 10 };
  const { registry, backend, log } = await reproductionRuntime(values.backend as string | undefined);
  log(
    `reproduce-merge: ${count} MLPs ${JSON.stringify(config.hidden)}, ${epochs} epochs, merges of ${sizes.join(', ')}, backend ${backend}, output ${out}`,
  );

  // 1. Train the models, two processes at a time; keep checkpoints trained the same way.
  const files = Array.from({ length: count }, (_, seed) => join(out, 'models', `seed-${seed}.safetensors`));
  const trainStarted = performance.now();
  const trained = await trainCheckpoints(
    files.map((file, seed) => ({
      file,
      arch: 'mlp',
      dataset: 'mnist',
      config,
      seed,
      epochs,
      batchSize: smoke ? 128 : 512,
      learningRate: 1e-3,
      trainLimit,
    })),
    registry,
    backend,
    Number(values.jobs),
    log,
  );
  log(
    `training: ${trained} models in ${((performance.now() - trainStarted) / 1000).toFixed(0)} s (${count - trained} reused)`,
  );

  // 2. Merge and evaluate, saving after each entry.
  const resultsFile = join(out, 'results.json');
  const settings = { config, epochs, attackLimit, trainLimit, testLimit };
  const entries = earlierResults<Entry>(resultsFile, settings, 'entries');
  const done = new Set(entries.map((e) => e.key));
  const plugin = registry.architecture('mlp');
  const spec = plugin.symmetry(config);
  const align = planAligner(spec, registry.matchers(), 'weight');
  const data = await registry.dataset('mnist').load({ trainLimit: 1, testLimit });
  const models = files.map((f) => loadModel(f, registry, 'mlp').params);
  const evaluate = (
    key: string,
    kind: Entry['kind'],
    k: number,
    result: Pick<MergeResult, 'params' | 'seconds' | 'rounds'>,
  ) => {
    const report = robustness(plugin, config, result.params, data.test, {
      attackLimit,
      seed: 0,
      progress: progressBar(),
    });
    entries.push({ key, kind, models: k, seconds: result.seconds, rounds: result.rounds, report });
    writeResult(resultsFile, 'reproduction', { reproduction: 'merge', settings, backend, entries });
    log(
      `${key}: clean ${(report.clean.accuracy * 100).toFixed(2)}%, PGD ε=0.1 ${(report.pgd['0.1'] * 100).toFixed(2)}%, ‖θ‖ ${report.weightL2.toFixed(2)}`,
    );
  };
  for (let i = 0; i < Math.min(count, 8); i++) {
    const key = `base/${i}`;
    if (!done.has(key)) evaluate(key, 'base', 1, { params: models[i], seconds: 0, rounds: 0 });
  }
  for (const k of sizes) {
    for (const method of METHODS) {
      const key = `${method}/${k}`;
      if (done.has(key)) continue;
      const subset = models.slice(0, k);
      const progress = progressBar();
      const result =
        method === 'average'
          ? averageMerge(subset)
          : method === 'mergemany'
            ? mergeMany(spec, align, subset, { seed: 0, progress })
            : hierarchicalMerge(spec, align, subset, { seed: 0, progress });
      evaluate(key, method, k, result);
      disposeParams(result.params);
    }
  }
  models.forEach(disposeParams);
  writeSummary(out, entries, sizes, attackLimit, data.test.count);
}

function writeSummary(out: string, entries: Entry[], sizes: number[], attackLimit: number, testImages: number): void {
  const base = entries.filter((e) => e.kind === 'base');
  const mean = (f: (r: RobustnessReport) => number) => base.reduce((s, e) => s + f(e.report), 0) / base.length;
  const pct = (v: number) => (v * 100).toFixed(2);
  const row = (label: string, k: string, r: (f: (r: RobustnessReport) => number) => number) => [
    label,
    k,
    pct(r((x) => x.clean.accuracy)),
    pct(r((x) => x.fgsm['0.05'])),
    pct(r((x) => x.fgsm['0.1'])),
    pct(r((x) => x.pgd['0.05'])),
    pct(r((x) => x.pgd['0.1'])),
    pct(r((x) => x.noise['0.1'])),
    pct(r((x) => x.noise['0.3'])),
    r((x) => x.pgd['0.1'] / x.clean.accuracy).toFixed(3),
    r((x) => x.weightL2).toFixed(2),
    r((x) => x.lipschitzUpperBound).toExponential(2),
    r((x) => x.logits.meanStd).toFixed(2),
  ];
  const rows = [row('base models (mean)', '1', mean)];
  for (const k of sizes) {
    for (const method of METHODS) {
      const e = entries.find((x) => x.key === `${method}/${k}`);
      if (e) rows.push(row(method, String(k), (f) => f(e.report)));
    }
  }
  const header = [
    'merge',
    'models',
    'clean %',
    'FGSM .05',
    'FGSM .1',
    'PGD .05',
    'PGD .1',
    'noise .1',
    'noise .3',
    'PGD.1/clean',
    '‖θ‖₂',
    'Lipschitz ≤',
    'logit std',
  ];
  const text = table(header, rows);
  writeFileAtomic(join(out, 'table.txt'), `${text}\n`);
  const md = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  writeFileAtomic(
    join(out, 'table.md'),
    `${md}\n\nAttacks and noise on the first ${attackLimit} test images; clean accuracy on all ${testImages.toLocaleString('en')}.\n`,
  );
  const series = (metric: (r: RobustnessReport) => number) =>
    METHODS.map((method) => {
      const points = sizes
        .map((k) => entries.find((x) => x.key === `${method}/${k}`))
        .filter((e): e is Entry => e !== undefined);
      return { name: method, xs: points.map((e) => e.models), ys: points.map((e) => metric(e.report)) };
    });
  writeFileAtomic(
    join(out, 'merge.svg'),
    linePlotSvg(
      [
        {
          title: 'clean test accuracy',
          xLabel: 'models merged',
          yLabel: 'accuracy (%)',
          series: series((r) => r.clean.accuracy * 100),
        },
        {
          title: 'PGD-10 accuracy, ε = 0.1',
          xLabel: 'models merged',
          yLabel: 'accuracy (%)',
          series: series((r) => r.pgd['0.1'] * 100),
        },
        { title: 'weight norm', xLabel: 'models merged', yLabel: '‖θ‖₂', series: series((r) => r.weightL2) },
        {
          title: 'Lipschitz upper bound',
          xLabel: 'models merged',
          yLabel: 'log10 Π σ_max',
          series: series((r) => Math.log10(r.lipschitzUpperBound)),
        },
      ],
      'Merging MNIST MLPs: naive average vs MergeMany vs hierarchical re-basin',
    ),
  );
  process.stdout.write(`${text}\n\nwrote ${join(out, 'results.json')}, table.md and merge.svg\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`reproduce-merge: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
