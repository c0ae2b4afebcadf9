import { assertWritableDirectory } from './output-path';
import { type Dataset, type DatasetPlugin, EvaluationBatches } from '@weightspace/core';
import { type FlagSpec, optionalString, type Parsed, requireString } from './args';
import { type LoadedModel, loadPair } from './checkpoint';
import type { CommandContext } from './command';
import { assertInputsFit } from './inputs-fit';

export interface PairWithData {
  a: LoadedModel;
  b: LoadedModel;
  data: Dataset;
  /** The test split as evaluation batches; the caller disposes them. */
  test: EvaluationBatches;
}

/**
 * Loads checkpoints A and B of one architecture and a dataset whose samples fit it, and cuts the
 * test split into evaluation batches: the common start of `interpolate`, `llfc` and `lewc`.
 */
export async function loadPairWithData(
  context: CommandContext,
  files: { a: string; b: string; arch?: string },
  dataset: DatasetPlugin,
  limits: { trainLimit?: number; testLimit?: number },
): Promise<PairWithData> {
  const [a, b] = loadPair(files.a, files.b, context.registry, files.arch);
  const data = await dataset.load({ trainLimit: limits.trainLimit ?? 1, testLimit: limits.testLimit });
  assertInputsFit(a.plugin, a.config, data, files.a);
  return { a, b, data, test: EvaluationBatches.forModel(data.test, a.plugin, a.config) };
}

/** The flags of every command that reads a pair of checkpoints and a dataset. */
export const pairFlags: FlagSpec = {
  arch: { type: 'string' },
  a: { type: 'string' },
  b: { type: 'string' },
  dataset: { type: 'string' },
  out: { type: 'string' },
};

/** The checkpoint files, output folder and dataset plugin named by `pairFlags`. */
export function pairInputs(
  parsed: Parsed,
  context: CommandContext,
  writes: readonly string[],
): { files: { a: string; b: string; arch?: string }; out: string; dataset: DatasetPlugin } {
  const files = { a: requireString(parsed, 'a'), b: requireString(parsed, 'b'), arch: optionalString(parsed, 'arch') };
  const out = requireString(parsed, 'out');
  // The files the command writes into --out, checked before any work starts.
  assertWritableDirectory('--out', out, writes, { '--a': files.a, '--b': files.b });
  return { files, out, dataset: context.registry.dataset(requireString(parsed, 'dataset')) };
}
