import { disposeParams, withDirectoryLock } from '@weightspace/core';
import { join } from 'node:path';
import { choiceFlag, integerFlag, numberFlag, optionalString, parse, type Parsed, requireString } from '../args';
import { statisticsFlags, statisticsSetting } from '../statistics-flag';
import { UsageError } from '../usage-error';
import { assertInputsFit } from '../inputs-fit';
import { alignModels, writeAlignment } from '../alignment';
import { expertOrdersByBarrier } from '../expert-orders';
import { embeddingNotes, inForm, loadPair } from '../checkpoint';
import { checkpointNames } from '../checkpoint-names';
import { chooseBackend, type Command, printResult } from '../command';
import { checkpointNameFlags, type FlagTable, jsonFlags } from '../flags';
import { progressBar } from '../progress-bar';
import { assertWritableDirectory } from '../output-path';

const flags: FlagTable = {
  a: { type: 'string', value: 'FILE', description: 'checkpoint A, the reference', required: true },
  b: { type: 'string', value: 'FILE', description: 'checkpoint B, the one moved onto A', required: true },
  out: {
    type: 'string',
    value: 'DIR',
    description: 'where b_aligned.safetensors and alignment.json go',
    required: true,
  },
  arch: { type: 'string', value: 'ID', description: 'architecture of both', default: 'the one A records' },
  method: {
    type: 'string',
    value: 'ID',
    description: 'matcher: weight, activation, ste, … (see weightspace list)',
    default: 'weight',
  },
  dataset: { type: 'string', value: 'ID', description: 'training data, for matchers that look at features or losses' },
  samples: {
    type: 'string',
    value: 'N',
    description: 'training samples the data-driven matchers see',
    default: '5000',
  },
  steps: {
    type: 'string',
    value: 'N',
    description: 'optimisation steps of learned matchers (ste)',
    default: "the matcher's",
  },
  lr: {
    type: 'string',
    value: 'X',
    description: 'learning rate of learned matchers (learned: Adam on the latent maps; ste: SGD with momentum)',
    default: "the matcher's",
  },
  'batch-size': { type: 'string', value: 'N', description: 'batch size of the data-driven matchers', default: '500' },
  seed: { type: 'string', value: 'N', description: 'seed of the matcher (group order, batches)', default: '0' },
  'max-iterations': { type: 'string', value: 'N', description: "weight matching's sweeps at most", default: '100' },
  form: {
    type: 'string',
    value: 'canonical|original|circuits',
    description:
      'match in the canonical form (transformers: LayerNorm folded, an orthogonal residual stream), as saved, or in a further form of the architecture (transformers: circuits, each head as its query–key and value–output circuits)',
    default: 'canonical where the architecture has one',
  },
  'orthogonal-as': {
    type: 'string',
    value: 'procrustes|permutation',
    description: 'weight matching solves orthogonal groups by Procrustes, or by permutations only (ablation)',
    default: 'procrustes',
  },
  'matcher-option': {
    type: 'string',
    value: 'KEY=VALUE,…',
    description:
      "settings of the plan's matchers (weight, ste: statistics=match|ignore; moe: expertCost=gate|gram, stages=both|experts|hidden; see weightspace list)",
  },
  'expert-cost': {
    type: 'string',
    value: 'gate|gram',
    description: "the moe matcher's expert-order cost: the centred gate rows or each expert's Gram matrices",
    default: 'gate',
  },
  'brute-force': {
    type: 'boolean',
    description:
      "MoE (at most 5 experts): the test-loss barrier of every expert order, each with its own hidden orders; the chosen order's rank and L̃ go to alignment.json (needs --dataset)",
  },
  points: { type: 'string', value: 'N', description: 'points of each brute-force curve', default: '11' },
  'test-limit': { type: 'string', value: 'N', description: 'test samples of each brute-force curve', default: 'all' },
  ...statisticsFlags,
  ...checkpointNameFlags,
  ...jsonFlags,
};

/**
 * `--matcher-option a=b,c=d`, `--expert-cost X` and `--match-statistics yes|no` as one settings
 * record (the flags win over the list).
 */
function matcherOptions(parsed: Parsed): Record<string, string> | undefined {
  const options: Record<string, string> = {};
  for (const pair of (optionalString(parsed, 'matcher-option') ?? '').split(',').filter(Boolean)) {
    const [key, value, ...rest] = pair.split('=');
    if (!key || value === undefined || rest.length)
      throw new UsageError(`--matcher-option takes KEY=VALUE pairs separated by commas, got '${pair}'`);
    options[key.trim()] = value.trim();
  }
  const expertCost = optionalString(parsed, 'expert-cost');
  if (expertCost !== undefined) options.expertCost = expertCost;
  const statistics = statisticsSetting(parsed);
  if (statistics !== undefined) options.statistics = statistics;
  return Object.keys(options).length ? options : undefined;
}

export const alignCommand: Command = {
  name: 'align',
  summary: 'align checkpoint B to A; write b_aligned.safetensors and alignment.json',
  flags,
  async run(argv, context) {
    const parsed = parse(argv, flags);
    const fileA = requireString(parsed, 'a');
    const fileB = requireString(parsed, 'b');
    const out = requireString(parsed, 'out');
    assertWritableDirectory('--out', out, ['b_aligned.safetensors', 'alignment.json'], { '--a': fileA, '--b': fileB });
    const method = optionalString(parsed, 'method') ?? 'weight';
    const matcher = context.registry.matcher(method);
    const datasetId = optionalString(parsed, 'dataset');
    if (matcher.needsData && !datasetId)
      throw new UsageError(`--method ${method} looks at features or losses on training data: give --dataset`);
    const seed = integerFlag(parsed, 'seed', 0) as number;
    const maxIterations = integerFlag(parsed, 'max-iterations', 100, 1) as number;
    const form = optionalString(parsed, 'form') ?? 'canonical';
    const orthogonalAs = choiceFlag(parsed, 'orthogonal-as', ['procrustes', 'permutation'], 'procrustes');
    const bruteForce = parsed.flags['brute-force'] === true;
    if (bruteForce && !datasetId) throw new UsageError('--brute-force measures barriers on test data: give --dataset');
    // One writer per output directory: a second align into it is refused, naming the first.
    await withDirectoryLock(out, 'weightspace align', async () => {
      await chooseBackend(parsed, context, { command: 'align' });
      const loaded = loadPair(fileA, fileB, context.registry, optionalString(parsed, 'arch'), checkpointNames(parsed));
      embeddingNotes(loaded).forEach((line) => context.log(line));
      const [a, b] = loaded.map((model) => inForm(model, form));
      const samples = integerFlag(parsed, 'samples', 5000, 1) as number;
      // Checked whether or not a dataset is given, so a bad value never passes unnoticed.
      const learningRate = parsed.flags.lr === undefined ? undefined : numberFlag(parsed, 'lr', 0);
      // The test split is read only for brute force's curves.
      const testLimit = bruteForce ? integerFlag(parsed, 'test-limit', undefined, 1) : 1;
      const data = datasetId
        ? await context.registry.dataset(datasetId).load({ trainLimit: samples, testLimit })
        : undefined;
      if (data) assertInputsFit(a.plugin, a.config, data, fileA);
      const matchData = data && {
        plugin: a.plugin,
        config: a.config,
        train: data.train,
        samples,
        steps: integerFlag(parsed, 'steps', undefined, 1),
        learningRate,
        batchSize: integerFlag(parsed, 'batch-size', 500, 1),
      };
      const { record, aligned, element } = alignModels(context.registry, a.plugin, a.config, a.params, b.params, {
        method,
        seed,
        maxIterations,
        progress: progressBar(),
        data: matchData,
        orthogonalAs,
        options: matcherOptions(parsed),
      });
      if (bruteForce && data)
        record.bruteForce = expertOrdersByBarrier(
          a,
          b.params,
          element,
          data.test,
          integerFlag(parsed, 'points', 11, 2) as number,
        );
      const written = writeAlignment(out, a.plugin, a.config, aligned, record, {
        arch: a.plugin.id,
        config: a.config,
        alignedTo: fileA,
        source: fileB,
      });
      [a.params, b.params, aligned].forEach(disposeParams);
      printResult(context, parsed, written, () => {
        context.print(
          `aligned ${fileB} to ${fileA} (${a.plugin.id}, ${method}): objective ${record.objectiveBefore.toFixed(3)} → ${record.objectiveAfter.toFixed(3)} in ${record.iterations} iterations, ${record.seconds.toFixed(2)} s`,
        );
        const brute = record.bruteForce;
        if (brute)
          context.print(
            `expert order ${brute.chosen.order.join(' ')}: barrier ${brute.chosen.barrier.toFixed(4)}, rank ${brute.chosen.rank} of ${brute.orders.length} (best ${brute.best.toFixed(4)}, naive ${brute.naive.toFixed(4)}, L̃ ${brute.relative.toFixed(2)})`,
          );
        context.print(`wrote ${join(out, 'b_aligned.safetensors')} and ${join(out, 'alignment.json')}`);
      });
    });
  },
};
