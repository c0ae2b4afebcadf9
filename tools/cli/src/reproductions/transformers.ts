#!/usr/bin/env node
/**
 * Reproduction: generalized linear mode connectivity for transformers (Theus et al. 2025) at
 * small scale, on one 2-core machine.
 *
 * Two models per setting, seeds 0 and 1, trained with Adam 1e-3:
 * - gpt: a character GPT on Moby-Dick (2 blocks, d 64, 4 heads, MLP 256, LayerNorm, untied head,
 *   context 64), 4 epochs of the 16,738 training windows, batch 32 (2,096 steps);
 * - vit: a ViT on Fashion-MNIST (7×7 patches, 2 blocks, d 64, 4 heads, MLP 128, LayerNorm),
 *   8 epochs of the 60,000 training images, batch 128.
 * For each pair, the 25-point test-loss barrier of: vanilla averaging (as trained); activation
 * matching as trained (stream and MLP units by correlation, heads by weight matching); weight matching
 * as trained (permutation stream, LayerNorm); weight matching in the canonical form with a
 * permutation-only stream and with the orthogonal stream; learned matching permutations-only and
 * full (1,000 Adam steps at 0.003 on 5,000 training samples, batch 32); with --full, weight and learned
 * matching in the circuit form (each head as its QK and OV circuits).
 * The width-heterogeneous pair: A the GPT above (seed 0), B a GPT of half the width, heads and MLP
 * (seed 1), embedded into A's width (zero units, the stream rescaled), then vanilla averaging,
 * weight matching and learned matching in the canonical and circuit forms.
 *
 * Usage: node tools/cli/dist/reproductions/transformers.js [--out reports/transformers] [--jobs 2]
 * [--full] [--smoke] (--full: the circuit-form rows as well; --smoke: tiny models, 1 epoch on
 * 2,000 samples, 60 learned steps, 200 test samples, every row.)
 * A killed run resumes: models on disk are reused, finished rows are kept in results.json.
 */
import {
  type AnyArchitecture,
  barrierCurveInThreads,
  cloneParams,
  disposeParams,
  linePlotSvg,
  defaultPlan,
  type MatchContext,
  type Matcher,
  type Params,
  runPlan,
  transform,
  workerPool,
  writeFileAtomic,
} from '@weightspace/core';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inForm, inOneForm, type LoadedModel, loadModel } from '../checkpoint';
import { table } from '../curves';
import { registrySource } from '../modules';
import { progressBar } from '../progress-bar';
import { writeResult } from '../results/result-files';
import { earlierResults } from './earlier-results';
import { startReproduction } from './runtime';
import { trainCheckpoints, type TrainingJob } from './training-jobs';

/** The methods compared, in the table's order. */
const METHODS = [
  'vanilla averaging',
  'activation matching, as trained',
  'weight matching, as trained (permutation stream)',
  'weight matching, canonical form, permutation-only stream',
  'weight matching, canonical form, orthogonal stream',
  'learned matching, permutations only',
  'learned matching (full)',
  'weight matching, circuit form',
  'learned matching (full), circuit form',
] as const;
type Method = (typeof METHODS)[number];

/** The methods run on the width-heterogeneous pair (B at half width, embedded into A's width). */
const WIDTH_METHODS: readonly Method[] = [
  'vanilla averaging',
  'weight matching, canonical form, orthogonal stream',
  'learned matching (full)',
  'weight matching, circuit form',
  'learned matching (full), circuit form',
];

/** The row label of the width-heterogeneous pair. */
const HALF_WIDTH = 'gpt, B at half width';

/** Figure panel titles per row label. */
const TITLES: Record<string, string> = {
  gpt: 'character GPT, Moby-Dick',
  vit: 'ViT, Fashion-MNIST',
  [HALF_WIDTH]: 'GPT, B at half width (embedded)',
};

/** Test-loss barriers of Table 2 in the paper (mean), for the settings nearest ours. */
const PAPER: Record<Method, { cifar10: number; shakespeare: number } | undefined> = {
  'vanilla averaging': { cifar10: 1.69, shakespeare: 2.02 },
  'activation matching, as trained': { cifar10: 1.27, shakespeare: 1.43 },
  'weight matching, as trained (permutation stream)': undefined,
  'weight matching, canonical form, permutation-only stream': undefined,
  'weight matching, canonical form, orthogonal stream': { cifar10: 0.36, shakespeare: 0.34 },
  'learned matching, permutations only': { cifar10: 0.45, shakespeare: 0.63 },
  'learned matching (full)': { cifar10: 0.0, shakespeare: 0.02 },
  'weight matching, circuit form': undefined,
  'learned matching (full), circuit form': { cifar10: 0.0, shakespeare: 0.02 },
};

interface Row {
  model: string;
  method: Method;
  barrier: number;
  midpointLoss: number;
  endpoints: [number, number];
  curve: Array<{ t: number; loss: number; accuracy: number }>;
  matchingSeconds: number;
}

interface Setting {
  model: 'gpt' | 'vit';
  dataset: string;
  config: object;
  epochs: number;
  batchSize: number;
}

async function main(): Promise<void> {
  const { smoke, full, out, parallel, registry, backend, log } = await startReproduction('reports/transformers', {
    full: true,
  });
  // The circuit-form rows (about 25 more minutes) with --full, and in the smoke run that checks every path.
  const circuits = full || smoke;
  const methods = METHODS.filter((m) => circuits || formFor(m) !== 'circuits');
  const widthMethods = WIDTH_METHODS.filter((m) => circuits || formFor(m) !== 'circuits');
  const shape = smoke
    ? { dim: 16, depth: 1, heads: 2, norm: 'layernorm' }
    : { dim: 64, depth: 2, heads: 4, norm: 'layernorm' };
  const settings: Setting[] = [
    {
      model: 'gpt',
      dataset: 'moby-dick',
      config: { ...shape, vocabulary: 83, context: 64, tied: false, mlpWidth: smoke ? 32 : 256 },
      epochs: smoke ? 1 : 4,
      batchSize: 32,
    },
    {
      model: 'vit',
      dataset: 'fashion-mnist',
      config: { ...shape, input: [28, 28, 1], patch: 7, classes: 10, mlpWidth: smoke ? 32 : 128 },
      epochs: smoke ? 1 : 8,
      batchSize: 128,
    },
  ];
  const budget = {
    trainLimit: smoke ? 2000 : undefined,
    testLimit: smoke ? 200 : undefined,
    learnedSteps: smoke ? 60 : 1000,
    learnedSamples: smoke ? 1000 : 5000,
  };
  const file = (setting: Setting, seed: number) => join(out, 'models', `${setting.model}-s${seed}.safetensors`);
  const trainingJob = (s: Setting, seed: number, target = file(s, seed)): TrainingJob => ({
    file: target,
    arch: s.model,
    dataset: s.dataset,
    config: s.config,
    seed,
    epochs: s.epochs,
    batchSize: s.batchSize,
    learningRate: 1e-3,
    trainLimit: budget.trainLimit,
  });
  // The width-heterogeneous pair: A as above, B a GPT of half the width, heads and MLP (the same
  // head width), seed 1, trained the same way.
  const gptSetting = settings[0];
  const half = halfWidth(gptSetting);
  const halfFile = join(out, 'models', 'gpt-half-s1.safetensors');
  const jobs = [...settings.flatMap((s) => [0, 1].map((seed) => trainingJob(s, seed))), trainingJob(half, 1, halfFile)];
  const started = performance.now();
  await trainCheckpoints(jobs, registry, backend, parallel, log);
  const trainSeconds = (performance.now() - started) / 1000;

  const resultsFile = join(out, 'results.json');
  const recorded = { settings, budget };
  const widthSettings = { half: half.config, file: 'gpt-half-s1' };
  const rows: Row[] = earlierResults<Row>(resultsFile, recorded, 'rows').filter(
    (r) =>
      r.model !== HALF_WIDTH || JSON.stringify(earlierWidthSettings(resultsFile)) === JSON.stringify(widthSettings),
  );
  const pool = workerPool(parallel);
  const record = () =>
    writeResult(resultsFile, 'reproduction', {
      reproduction: 'transformers',
      settings: recorded,
      widthSettings,
      trainSeconds,
      rows,
    });
  try {
    for (const setting of settings) {
      const data = await registry
        .dataset(setting.dataset)
        .load({ trainLimit: budget.learnedSamples, testLimit: budget.testLimit });
      const pairs: Array<{ label: string; files: [string, string]; methods: readonly Method[] }> = [
        { label: setting.model, files: [file(setting, 0), file(setting, 1)], methods },
        ...(setting === gptSetting
          ? [{ label: HALF_WIDTH, files: [file(setting, 0), halfFile] as [string, string], methods: widthMethods }]
          : []),
      ];
      for (const pair of pairs) {
        const missing = pair.methods.filter((m) => !rows.some((r) => r.model === pair.label && r.method === m));
        if (missing.length === 0) continue;
        const forms = pairForms(
          pair.files.map((f) => loadModel(f, registry, setting.model)),
          missing,
        );
        for (const method of missing) {
          const [a, b] = forms[formFor(method)] ?? forms.canonical!;
          const plugin = a.plugin;
          const matchingStarted = performance.now();
          const moved = matchFor(method, plugin, a.config, a.params, b.params, registry.matchers(), {
            seed: 0,
            data: {
              plugin,
              config: a.config,
              train: data.train,
              samples: budget.learnedSamples,
              batchSize: 32,
              steps: budget.learnedSteps,
              learningRate: 0.003,
            },
            progress: progressBar(),
          });
          const matchingSeconds = (performance.now() - matchingStarted) / 1000;
          const curve = await barrierCurveInThreads(plugin, a.config, a.params, moved, data.test, {
            registry: registrySource,
            backend,
            points: 25,
            pool,
            progress: progressBar(),
            task: `${pair.label}: ${method}`,
          });
          if (moved !== b.params) disposeParams(moved);
          const points = curve.points;
          rows.push({
            model: pair.label,
            method,
            barrier: curve.barriers.loss,
            midpointLoss: points[Math.floor(points.length / 2)].loss,
            endpoints: [points[0].loss, points[points.length - 1].loss],
            curve: points.map((p) => ({ t: p.t, loss: p.loss, accuracy: p.accuracy })),
            matchingSeconds,
          });
          record();
          log(`${pair.label}, ${method}: test-loss barrier ${curve.barriers.loss.toFixed(4)}`);
        }
        Object.values(forms).forEach((models) => models?.forEach((m) => disposeParams(m.params)));
      }
    }
  } finally {
    await pool.close();
  }
  writeSummary(out, rows);
}

/** The GPT setting at half the width, heads and MLP width (heads keep their width). */
function halfWidth(setting: Setting): Setting {
  const config = setting.config as { dim: number; heads: number; mlpWidth: number };
  return {
    ...setting,
    config: { ...config, dim: config.dim / 2, heads: config.heads / 2, mlpWidth: config.mlpWidth / 2 },
  };
}

/** The width settings an earlier run recorded, if any. */
function earlierWidthSettings(file: string): unknown {
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { widthSettings?: unknown }).widthSettings
    : undefined;
}

type Form = 'original' | 'canonical' | 'circuits';

/** The form a method matches and interpolates in. */
function formFor(method: Method): Form {
  if (method.includes('circuit')) return 'circuits';
  return method.includes('canonical') || method.startsWith('learned') ? 'canonical' : 'original';
}

/**
 * A loaded pair in each form `methods` match in: as trained (only where both have one width; a
 * pair of two widths is read in the canonical form instead), canonical and circuits, each through
 * `inOneForm`, which embeds a narrower B into A's width. The loaded tensors are released.
 */
function pairForms(loaded: LoadedModel[], methods: readonly Method[]): Partial<Record<Form, LoadedModel[]>> {
  const sameWidth = JSON.stringify(loaded[0].config) === JSON.stringify(loaded[1].config);
  const needed = new Set(methods.map((m) => (formFor(m) === 'original' && !sameWidth ? 'canonical' : formFor(m))));
  const inEach = (form: Form) => inOneForm(loaded.map((m) => inForm({ ...m, params: cloneParams(m.params) }, form)));
  const forms = Object.fromEntries([...needed].map((form) => [form, inEach(form)]));
  loaded.forEach((m) => disposeParams(m.params));
  return forms;
}

/** B moved by the method's matcher onto A (B itself for vanilla averaging). */
function matchFor(
  method: Method,
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  matchers: readonly Matcher[],
  context: MatchContext,
): Params {
  if (method === 'vanilla averaging') return b;
  const spec = plugin.symmetry(config);
  if (method === 'activation matching, as trained') {
    // The stream and MLP units by activations; heads and their maps, which no activation names, by weight matching.
    const result = runPlan(spec, a, b, defaultPlan(spec, matchers, 'activation'), matchers, context);
    return transform(b, spec, result.element);
  }
  const matcher = matchers.find((m) => m.id === (method.startsWith('learned') ? 'learned' : 'weight'))!;
  const orthogonalAs = method.includes('permutation') ? 'permutation' : 'procrustes';
  const result = matcher.match(spec, a, b, { ...context, orthogonalAs });
  return transform(b, spec, result.element);
}

function writeSummary(out: string, unordered: Row[]): void {
  const order = (r: Row) => `${r.model}/${METHODS.indexOf(r.method).toString().padStart(2, '0')}`;
  const rows = [...unordered].sort((x, y) => order(x).localeCompare(order(y)));
  const f = (v: number) => v.toFixed(3);
  const paper = (method: Method, model: string) => {
    // The paper's width-heterogeneous figure (3c) has no table: its learned matching stays near 0.
    if (model === HALF_WIDTH) return method.startsWith('learned') ? '≈ 0 (Fig. 3c)' : '—';
    const p = PAPER[method];
    return p ? f(model === 'vit' ? p.cifar10 : p.shakespeare) : '—';
  };
  const header = [
    'model',
    'method',
    'test-loss barrier',
    'midpoint loss',
    'endpoint losses',
    'paper (Table 2)',
    'matching s',
  ];
  const body = rows.map((r) => [
    r.model,
    r.method,
    f(r.barrier),
    f(r.midpointLoss),
    `${f(r.endpoints[0])} / ${f(r.endpoints[1])}`,
    paper(r.method, r.model),
    r.matchingSeconds.toFixed(1),
  ]);
  const md = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((x) => `| ${x.join(' | ')} |`),
  ];
  writeFileAtomic(join(out, 'table.md'), `${md.join('\n')}\n`);
  const models = [...new Set(rows.map((r) => r.model))];
  writeFileAtomic(
    join(out, 'transformers.svg'),
    linePlotSvg(
      models.map((model) => ({
        title: TITLES[model] ?? model,
        xLabel: 'λ (0: A, 1: B)',
        yLabel: 'test loss',
        series: rows
          .filter((r) => r.model === model)
          .map((r) => ({ name: r.method, xs: r.curve.map((p) => p.t), ys: r.curve.map((p) => p.loss) })),
      })),
      'Transformers: test loss along the line from A to B after each alignment',
    ),
  );
  process.stdout.write(`${table(header, body)}\n\nwrote ${join(out, 'results.json')}, table.md and transformers.svg\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`reproduce-transformers: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
