import {
  type AnyArchitecture,
  type EvaluationBatches,
  type Params,
  repair,
  repairEndpoints,
  resetBatchNorm,
} from '@weightspace/core';
import { UsageError } from './usage-error';

/** What can be done to each model between the endpoints before it is evaluated. */
export const CORRECTIONS = ['plain', 'bn-reset', 'repair'] as const;
export type Correction = (typeof CORRECTIONS)[number];

/**
 * The `barrierCurve` correction for `correction` on the path from A to B, with statistics from
 * `stats`: none, BN reset, or REPAIR towards the endpoints' statistics (measured here, once).
 */
export function corrector(
  correction: Correction,
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  stats: EvaluationBatches,
): ((mixed: Params, t: number) => Params) | undefined {
  if (correction === 'plain') return undefined;
  if (correction === 'bn-reset') {
    if (plugin.normalisation(config).length === 0)
      throw new UsageError(
        `--correct bn-reset: architecture '${plugin.id}' has no BatchNorm statistics to reset (try --correct repair)`,
      );
    return (mixed) => resetBatchNorm(plugin, config, mixed, stats);
  }
  const endpoints = repairEndpoints(plugin, config, a, b, stats);
  return (mixed, t) => repair(plugin, config, mixed, t, endpoints, stats).params;
}
