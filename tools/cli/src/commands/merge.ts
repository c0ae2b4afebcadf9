import {
  assertSameStructure,
  averageMerge,
  disposeParams,
  EvaluationBatches,
  hierarchicalMerge,
  type MergeResult,
  mergeMany,
  normalisationState,
  planAligner,
  resetBatchNorm,
} from '@weightspace/core';
import { assertInputsFit } from '../inputs-fit';
import { integerFlag, optionalString, parse, requireString } from '../args';
import { checkpointNameFlags, type FlagTable, jsonFlags } from '../flags';
import { writeResult } from '../results/result-files';
import { embeddingNotes, inOneForm, type LoadedModel, loadModel, saveModel } from '../checkpoint';
import { type CheckpointNames, checkpointNames } from '../checkpoint-names';
import { chooseBackend, type Command, printResult } from '../command';
import { progressBar } from '../progress-bar';
import { UsageError } from '../usage-error';
import { statisticsFlags, statisticsSetting } from '../statistics-flag';
import { assertWritableFile } from '../output-path';

export const MERGE_METHODS = ['average', 'mergemany', 'hierarchical'] as const;

/**
 * Loads every checkpoint as one architecture and checks they share names and shapes, naming the
 * file that differs. Checkpoints in different forms of an architecture with a canonical form (an
 * original model beside one `align` wrote) are all brought to the canonical form first.
 */
export function loadMany(
  files: readonly string[],
  registry: Parameters<typeof loadModel>[1],
  arch?: string,
  names?: CheckpointNames,
): LoadedModel[] {
  const first = loadModel(files[0], registry, arch, names);
  const models = inOneForm([
    first,
    ...files.slice(1).map((file) => loadModel(file, registry, arch ?? first.plugin.id, names)),
  ]);
  for (const model of models.slice(1)) assertSameStructure(models[0].params, model.params, [files[0], model.file]);
  return models;
}

const flags: FlagTable = {
  method: {
    type: 'string',
    value: 'average|mergemany|hierarchical',
    description: 'how to merge: plain average, MergeMany, or pairwise up a tree',
    required: true,
  },
  out: { type: 'string', value: 'FILE', description: 'the merged checkpoint (.safetensors)', required: true },
  arch: {
    type: 'string',
    value: 'ID',
    description: 'architecture of all inputs',
    default: 'the one the first records',
  },
  matcher: {
    type: 'string',
    value: 'ID',
    description: 'matcher that aligns the inputs (not for average)',
    default: 'weight',
  },
  seed: { type: 'string', value: 'N', description: 'seed of the matching order', default: '0' },
  'max-rounds': { type: 'string', value: 'N', description: "MergeMany's rounds at most", default: '50' },
  dataset: { type: 'string', value: 'ID', description: 'training data to reset BatchNorm statistics of the merge' },
  'stat-samples': { type: 'string', value: 'N', description: 'samples for those statistics', default: '5000' },
  ...statisticsFlags,
  ...checkpointNameFlags,
  ...jsonFlags,
};

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge two or more checkpoints of one architecture (average, MergeMany, hierarchical)',
  flags,
  positionals: 'A.safetensors B.safetensors [...]',
  details: 'writes the merged checkpoint and, beside it, a .json record of how it was made',
  async run(argv, context) {
    const parsed = parse(argv, flags);
    const method = requireString(parsed, 'method');
    if (!(MERGE_METHODS as readonly string[]).includes(method))
      throw new UsageError(`--method must be one of ${MERGE_METHODS.join(', ')}, got '${method}'`);
    const out = requireString(parsed, 'out');
    const files = parsed.positionals;
    if (files.length < 2) throw new UsageError(`give at least two checkpoints to merge, got ${files.length}`);
    const inputs = Object.fromEntries(files.map((file, k) => [`checkpoint ${k + 1}`, file]));
    assertWritableFile('--out', out, inputs);
    assertWritableFile('--out', `${out.replace(/\.safetensors$/, '')}.json`, inputs);
    const matcherId = optionalString(parsed, 'matcher') ?? 'weight';
    context.registry.matcher(matcherId);
    const seed = integerFlag(parsed, 'seed', 0) as number;
    const maxRounds = integerFlag(parsed, 'max-rounds', 50, 1) as number;
    const datasetId = optionalString(parsed, 'dataset');
    const statSamples = integerFlag(parsed, 'stat-samples', 5000, 1) as number;
    await chooseBackend(parsed, context, { command: 'merge' });
    const models = loadMany(files, context.registry, optionalString(parsed, 'arch'), checkpointNames(parsed));
    embeddingNotes(models).forEach((line) => context.log(line));
    const { plugin, config } = models[0];
    const spec = plugin.symmetry(config);
    const params = models.map((m) => m.params);
    const statistics = statisticsSetting(parsed);
    const align = planAligner(spec, context.registry.matchers(), matcherId, {
      statistics: normalisationState(plugin, config),
      options: statistics && { statistics },
    });
    const progress = progressBar();
    const result: MergeResult =
      method === 'average'
        ? averageMerge(params)
        : method === 'mergemany'
          ? mergeMany(spec, align, params, { seed, maxRounds, progress })
          : hierarchicalMerge(spec, align, params, { seed, progress });
    // Averaged BatchNorm statistics describe none of the models, nor the merge: reset them when given data.
    const hasBatchNorm = plugin.normalisation(config).length > 0;
    let merged = result.params;
    if (hasBatchNorm && datasetId) {
      const data = await context.registry.dataset(datasetId).load({ trainLimit: statSamples, testLimit: 1 });
      assertInputsFit(plugin, config, data, files[0]);
      const batches = EvaluationBatches.forModel(data.train, plugin, config);
      merged = resetBatchNorm(plugin, config, result.params, batches);
      batches.dispose();
      disposeParams(result.params);
    } else if (hasBatchNorm) {
      context.log(
        `note: ${plugin.id} has BatchNorm statistics; they are averaged, not recomputed (give --dataset to reset them)`,
      );
    }
    const bnReset = hasBatchNorm && datasetId ? { dataset: datasetId, samples: statSamples } : null;
    saveModel(out, plugin, config, merged, { arch: plugin.id, config, mergedBy: method, inputs: files, bnReset });
    const record = {
      method,
      matcher: method === 'average' ? null : matcherId,
      arch: plugin.id,
      inputs: files,
      rounds: result.rounds,
      seconds: result.seconds,
      seed,
      bnReset,
    };
    const recordFile = out.replace(/\.safetensors$/, '') + '.json';
    const written = writeResult(recordFile, 'merge', record);
    params.forEach(disposeParams);
    disposeParams(merged);
    printResult(context, parsed, { ...written, out }, () =>
      context.print(
        `merged ${files.length} ${plugin.id} checkpoints by ${method} in ${result.seconds.toFixed(2)} s (${result.rounds} rounds): wrote ${out} and ${recordFile}`,
      ),
    );
  },
};
