import {
  type AnyArchitecture,
  defaultPlan,
  type GroupElement,
  logitsDifference,
  normalisationState,
  outputChangeByGroup,
  SpecError,
  type SymmetrySpec,
  elementToJson,
  type MatchData,
  type Matcher,
  type Params,
  type ProgressSink,
  type Registry,
  runPlan,
  transform,
} from '@weightspace/core';
import type { BruteForceResult } from '@weightspace/arch-moe';
import { join } from 'node:path';
import { saveModel } from './checkpoint';
import { UsageError } from './usage-error';
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
  /** `align --brute-force`: every expert order's barrier and the chosen one's rank (MoE). */
  bruteForce?: BruteForceResult;
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
    /** Settings of the plan's matchers (`MatchContext.options`); each must be one a matcher of the plan takes. */
    options?: Record<string, string>;
  },
): { record: AlignmentRecord; aligned: Params; element: GroupElement } {
  const spec = plugin.symmetry(config);
  const matchers = registry.matchers();
  const plan = defaultPlan(spec, matchers, options.method, plugin.featureGraph?.(config));
  assertOptionsTaken(
    options.options ?? {},
    matchers.filter((m) => Object.values(plan).includes(m.id)),
  );
  const result = runPlan(spec, a, b, plan, matchers, {
    seed: options.seed,
    maxIterations: options.maxIterations,
    progress: options.progress,
    data: options.data,
    orthogonalAs: options.orthogonalAs,
    options: options.options,
    statistics: normalisationState(plugin, config),
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
  return { record, aligned, element: result.element };
}

/** Refuses a setting no matcher of the plan takes, naming it and what each of them takes. */
function assertOptionsTaken(options: Record<string, string>, planned: readonly Matcher[]): void {
  for (const key of Object.keys(options)) {
    if (planned.some((m) => m.options?.[key])) continue;
    const taken = planned.map((m) => `${m.id}: ${Object.keys(m.options ?? {}).join(', ') || 'none'}`).join('; ');
    throw new UsageError(`matcher option '${key}' is taken by no matcher of the plan (${taken})`);
  }
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
