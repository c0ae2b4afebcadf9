import {
  type AnyArchitecture,
  defaultPlan,
  elementToJson,
  type MatchData,
  type Params,
  type ProgressSink,
  type Registry,
  runPlan,
  transform,
  writeJsonAtomic,
} from '@weightspace/core';
import { join } from 'node:path';
import { saveModel } from './checkpoint';

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
  options: { method: string; seed: number; maxIterations: number; progress?: ProgressSink; data?: MatchData },
): { record: AlignmentRecord; aligned: Params } {
  const spec = plugin.symmetry(config);
  const matchers = registry.matchers();
  const plan = defaultPlan(spec, matchers, options.method);
  const result = runPlan(spec, a, b, plan, matchers, {
    seed: options.seed,
    maxIterations: options.maxIterations,
    progress: options.progress,
    data: options.data,
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
  return { record, aligned: transform(b, spec, result.element) };
}

/** Writes `b_aligned.safetensors` and `alignment.json` into `dir`. */
export function writeAlignment(
  dir: string,
  plugin: AnyArchitecture,
  config: unknown,
  aligned: Params,
  record: AlignmentRecord,
  provenance: object,
): void {
  saveModel(join(dir, 'b_aligned.safetensors'), plugin, config, aligned, { ...provenance, alignedBy: record.method });
  writeJsonAtomic(join(dir, 'alignment.json'), record);
}
