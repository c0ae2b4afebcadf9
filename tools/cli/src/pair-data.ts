import { assertWritableDirectory } from './output-path';
import { type Dataset, type DatasetPlugin, EvaluationBatches, type Split } from '@weightspace/core';
import { optionalString, type Parsed, requireString } from './args';
import { checkpointNameFlags, type FlagTable, jsonFlags } from './flags';
import { embeddingNotes, type LoadedModel, loadPair } from './checkpoint';
import { type CheckpointNames, checkpointNames } from './checkpoint-names';
import type { CommandContext } from './command';
import { assertInputsFit } from './inputs-fit';

export interface PairWithData {
  a: LoadedModel;
  b: LoadedModel;
  data: Dataset;
  /** The evaluated split: the test split unless the training split was asked for. */
  evaluated: Split;
  /** `evaluated` as evaluation batches; the caller disposes them. */
  batches: EvaluationBatches;
}

/** The two checkpoints a pair command reads, with their architecture and tensor-name mapping. */
export interface PairFiles {
  a: string;
  b: string;
  arch?: string;
  names: CheckpointNames;
}

/** What every pair command records first in its result file: the architecture, both checkpoints, the dataset. */
export function pairRecord(
  files: PairFiles,
  pair: Pick<PairWithData, 'a' | 'data'>,
): { arch: string; a: string; b: string; dataset: string } {
  return { arch: pair.a.plugin.id, a: files.a, b: files.b, dataset: pair.data.id };
}

/**
 * Loads checkpoints A and B of one architecture and a dataset whose samples fit it, and cuts the
 * evaluated split into evaluation batches: the common start of `interpolate`, `llfc` and `lewc`.
 * The test split is evaluated unless `split` is `train`; then `trainLimit` bounds the training
 * samples evaluated (all when absent). Otherwise `trainLimit` is the training samples a caller
 * needs besides (one when absent).
 */
export async function loadPairWithData(
  context: CommandContext,
  files: PairFiles,
  dataset: DatasetPlugin,
  limits: { trainLimit?: number; testLimit?: number; split?: EvaluatedSplit },
): Promise<PairWithData> {
  const [a, b] = loadPair(files.a, files.b, context.registry, files.arch, files.names);
  embeddingNotes([a, b]).forEach((line) => context.log(line));
  const onTrain = limits.split === 'train';
  const data = await dataset.load({
    trainLimit: onTrain ? limits.trainLimit : (limits.trainLimit ?? 1),
    testLimit: limits.testLimit,
  });
  assertInputsFit(a.plugin, a.config, data, files.a);
  const evaluated = onTrain ? data.train : data.test;
  return { a, b, data, evaluated, batches: EvaluationBatches.forModel(evaluated, a.plugin, a.config) };
}

/** The splits a pair command can evaluate. */
export const EVALUATED_SPLITS = ['test', 'train'] as const;

/** The split a pair command evaluates. */
export type EvaluatedSplit = (typeof EVALUATED_SPLITS)[number];

/** The flags of every command that reads a pair of checkpoints and a dataset. */
export const pairFlags: FlagTable = {
  a: { type: 'string', value: 'FILE', description: 'checkpoint A', required: true },
  b: { type: 'string', value: 'FILE', description: 'checkpoint B (aligned to A or not)', required: true },
  dataset: { type: 'string', value: 'ID', description: 'dataset whose test split is evaluated', required: true },
  out: { type: 'string', value: 'DIR', description: 'where the results go', required: true },
  arch: { type: 'string', value: 'ID', description: 'architecture of both', default: 'the one A records' },
  'test-limit': {
    type: 'string',
    value: 'N',
    description: 'evaluate on the first N test samples only',
    default: 'all',
  },
  ...checkpointNameFlags,
  ...jsonFlags,
};

/** The checkpoint files, output folder and dataset plugin named by `pairFlags`. */
export function pairInputs(
  parsed: Parsed,
  context: CommandContext,
  writes: readonly string[],
): { files: PairFiles; out: string; dataset: DatasetPlugin } {
  const files = {
    a: requireString(parsed, 'a'),
    b: requireString(parsed, 'b'),
    arch: optionalString(parsed, 'arch'),
    names: checkpointNames(parsed),
  };
  const out = requireString(parsed, 'out');
  // The files the command writes into --out, checked before any work starts.
  assertWritableDirectory('--out', out, writes, { '--a': files.a, '--b': files.b });
  return { files, out, dataset: context.registry.dataset(requireString(parsed, 'dataset')) };
}
