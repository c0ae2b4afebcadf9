import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors/errors';
import type { EvaluationBatches } from '../metrics/evaluation-batches';
import { cloneParams, disposeParams, type Params } from '../params/params';
import type { AnyArchitecture, FeatureGraph } from '../plugin/architecture';
import { resetBatchNorm } from './bn-reset';
import { channelStatistics, type ChannelStatistics } from './channel-statistics';

type AffineTaps = NonNullable<FeatureGraph['affine']>;

/** The per-channel statistics of both endpoints at every tap REPAIR corrects. */
export interface RepairEndpoints {
  a: Record<string, ChannelStatistics>;
  b: Record<string, ChannelStatistics>;
}

/** A REPAIRed model: its parameters, and how far its channel statistics were from their targets before the correction. */
export interface RepairReport {
  params: Params;
  /** For taps corrected by measurement: the largest |σ/σ* − 1| over their channels before correction (0 when none). */
  stdErrorBefore: number;
}

function affineOf(plugin: AnyArchitecture, config: unknown): AffineTaps {
  const affine = plugin.featureGraph?.(config).affine;
  if (!affine || affine.length === 0)
    throw new ConfigError(
      `architecture '${plugin.id}' declares no per-channel affine taps (featureGraph().affine), so REPAIR is not available for it`,
    );
  return affine;
}

/** Measures the endpoints once (evaluation mode); `repair` then corrects any interpolation of them. */
export function repairEndpoints(
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  data: EvaluationBatches,
): RepairEndpoints {
  const taps = affineOf(plugin, config).map((e) => e.tap);
  return { a: channelStatistics(plugin, config, a, data, taps), b: channelStatistics(plugin, config, b, data, taps) };
}

function targets(endpoints: RepairEndpoints, tap: string, t: number): { mean: Float64Array; std: Float64Array } {
  const [a, b] = [endpoints.a[tap], endpoints.b[tap]];
  return {
    mean: a.mean.map((m, c) => (1 - t) * m + t * b.mean[c]),
    std: a.std.map((s, c) => (1 - t) * s + t * b.std[c]),
  };
}

/** Multiplies channel c of every `scale` parameter and of `shift` by factor[c], then adds offset[c] to `shift`. */
function rescale(params: Params, entry: AffineTaps[number], factor: Float32Array, offset: Float32Array): void {
  for (const name of [...entry.scale, entry.shift]) {
    const p = params[name];
    params[name] = tf.tidy(() => {
      const scaled = tf.mul(p, tf.tensor(factor, [factor.length, ...p.shape.slice(1).map(() => 1)]));
      return name === entry.shift ? tf.add(scaled, tf.tensor1d(offset)) : scaled;
    });
    p.dispose();
  }
}

/**
 * REPAIR (Jordan et al. 2023): makes every channel of each affine tap of the interpolated model
 * θ_t have mean (1−t)·μ_A + t·μ_B and standard deviation (1−t)·σ_A + t·σ_B over `data`
 * (endpoint statistics in evaluation mode).
 *
 * - BatchNorm taps (`batchNorm` in `FeatureGraph.affine`) take β = μ*, γ = sign(γ)·σ*, and then
 *   one BN reset recomputes the running statistics: in training mode each layer normalises what
 *   the corrected layers before it give it, so one pass corrects all of them in sequence, as
 *   REPAIR's fused BatchNorm layers do.
 * - Other taps are measured and rescaled (channel ↦ s·y + d, see `FeatureGraph.affine`) one at a
 *   time in forward order, each measured after the ones before it were corrected: one forward
 *   pass over `data` per tap. (Correcting all taps from one pass, then again, converges slowly
 *   on residual networks: a correction moves every statistic after it.)
 *
 * Evaluation mode throughout; returns new parameters.
 *
 * @param plugin an architecture whose `featureGraph` declares its affine taps
 * @param config its config
 * @param model the interpolated model to correct
 * @param t its interpolation weight between A (0) and B (1)
 * @param endpoints the per-channel statistics of A and B (see `repairEndpoints`)
 * @param data the batches the statistics are measured on
 * @returns the corrected parameters and how far its statistics were from their targets before
 * @example
 * ```ts
 * import { EvaluationBatches, lerp, repair, repairEndpoints, type ArchitecturePlugin, type Params } from '@weightspace/core';
 * declare const plugin: ArchitecturePlugin; // a ResNet, say
 * declare const config: unknown;
 * declare const a: Params;
 * declare const b: Params;
 * declare const batches: EvaluationBatches;
 * const endpoints = repairEndpoints(plugin, config, a, b, batches);
 * const { params } = repair(plugin, config, lerp(a, b, 0.5), 0.5, endpoints, batches);
 * console.log(Object.keys(params));
 * ```
 */
export function repair(
  plugin: AnyArchitecture,
  config: unknown,
  model: Params,
  t: number,
  endpoints: RepairEndpoints,
  data: EvaluationBatches,
): RepairReport {
  const affine = affineOf(plugin, config);
  const batchNorm = affine.filter((e) => e.batchNorm);
  const measured = affine.filter((e) => !e.batchNorm);
  let params = cloneParams(model);
  if (batchNorm.length > 0) {
    for (const entry of batchNorm) {
      const target = targets(endpoints, entry.tap, t);
      const gamma = params[entry.scale[0]].dataSync();
      const beta = params[entry.shift].dataSync();
      // γ ↦ sign(γ)·σ* and β ↦ μ*, written as the channel map s·y + d of `rescale`.
      const factor = Float32Array.from(gamma, (g, c) => (g !== 0 ? Math.abs(target.std[c] / g) : 0));
      const offset = Float32Array.from(beta, (b, c) => target.mean[c] - factor[c] * b);
      rescale(params, entry, factor, offset);
    }
    const reset = resetBatchNorm(plugin, config, params, data);
    disposeParams(params);
    params = reset;
  }
  let stdErrorBefore = 0;
  for (const entry of measured) {
    const { mean, std } = channelStatistics(plugin, config, params, data, [entry.tap])[entry.tap];
    const target = targets(endpoints, entry.tap, t);
    const factor = new Float32Array(mean.length);
    const offset = new Float32Array(mean.length);
    for (let c = 0; c < mean.length; c++) {
      if (target.std[c] > 0) stdErrorBefore = Math.max(stdErrorBefore, Math.abs(std[c] / target.std[c] - 1));
      factor[c] = std[c] > 1e-8 ? target.std[c] / std[c] : 1;
      offset[c] = target.mean[c] - factor[c] * mean[c];
    }
    rescale(params, entry, factor, offset);
  }
  return { params, stdErrorBefore };
}
