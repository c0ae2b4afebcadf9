import {
  type AnyArchitecture,
  defaultPlan,
  type GroupElement,
  logitsDifference,
  outputChangeByGroup,
  SpecError,
  type SymmetrySpec,
  elementToJson,
  type MatchData,
  type Params,
  type ProgressSink,
  type Registry,
  runPlan,
  transform,
} from '@weightspace/core';
import { join } from 'node:path';
import { saveModel } from './checkpoint';
import { type ResultHeader, writeResult } from './results/result-files';

/**
 * What `align` records in alignment.json: the method and plan, each group's element mapping B onto
 * A, and the objective before and after.
 */
export interface AlignmentRecord {
  method: string;
  arch: string;
  plan: Record<string, string>;
  /** The element mapping B onto A: per group, unit i of aligned B is unit perm[i] of B. */
  groups: Record<string, unknown>;
  objectiveBefore: number;
  objectiveAfter: number;
  iterations: number;
  seconds: number;
  seed: number;
}

/** Aligns B to A with `method` (every group it supports; the defaults take the rest); `data` for matchers that need it. */
export function alignModels(
  registry: Registry,
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  options: {
    method: string;
    seed: number;
    maxIterations: number;
    progress?: ProgressSink;
    data?: MatchData;
    orthogonalAs?: 'procrustes' | 'permutation';
  },
): { record: AlignmentRecord; aligned: Params } {
  const spec = plugin.symmetry(config);
  const matchers = registry.matchers();
  const plan = defaultPlan(spec, matchers, options.method);
  const result = runPlan(spec, a, b, plan, matchers, {
    seed: options.seed,
    maxIterations: options.maxIterations,
    progress: options.progress,
    data: options.data,
    orthogonalAs: options.orthogonalAs,
  });
  const record: AlignmentRecord = {
    method: options.method,
    arch: plugin.id,
    plan,
    groups: elementToJson(result.element),
    objectiveBefore: result.objectiveBefore,
    objectiveAfter: result.objectiveAfter,
    iterations: result.iterations,
    seconds: result.seconds,
    seed: options.seed,
  };
  const aligned = transform(b, spec, result.element);
  assertSameFunction(plugin, config, b, aligned, spec, result.element, options.seed);
  return { record, aligned };
}

/**
 * Logits may move this much under a symmetry from float rounding alone (permutations move them
 * not at all; matrix groups by ~1e-6 of their scale, which for trained classifiers is below 100).
 */
const FUNCTION_TOLERANCE = 1e-3;

/**
 * Refuses an alignment whose aligned B does not compute B's function on a seeded random batch: a
 * spec whose actions are wrong would otherwise write a different model under B's name. The error
 * names the groups that, acting alone, change the logits.
 */
function assertSameFunction(
  plugin: AnyArchitecture,
  config: unknown,
  b: Params,
  aligned: Params,
  spec: SymmetrySpec,
  element: GroupElement,
  seed: number,
): void {
  const subject = { plugin, config, seed, batch: 8 };
  const change = logitsDifference(subject, b, aligned);
  if (change <= FUNCTION_TOLERANCE) return;
  const changes = outputChangeByGroup(subject, b, spec, element);
  const culprits = Object.entries(changes)
    .filter(([, c]) => c > FUNCTION_TOLERANCE)
    .map(([group, c]) => `${group} (${c.toExponential(2)})`);
  throw new SpecError(
    `aligned B does not compute B's function (logits moved by up to ${change.toExponential(2)}): the actions of ${culprits.join(', ') || 'the groups together'} in ${plugin.id}'s symmetry spec break it; nothing was written`,
  );
}

/** Writes `b_aligned.safetensors` and `alignment.json` into `dir`. */
export function writeAlignment(
  dir: string,
  plugin: AnyArchitecture,
  config: unknown,
  aligned: Params,
  record: AlignmentRecord,
  provenance: object,
): ResultHeader & AlignmentRecord {
  saveModel(join(dir, 'b_aligned.safetensors'), plugin, config, aligned, { ...provenance, alignedBy: record.method });
  return writeResult(join(dir, 'alignment.json'), 'alignment', record);
}
