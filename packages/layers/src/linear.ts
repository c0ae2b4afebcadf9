import * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import { type Group, type LayerAxes, reads, writes } from './axes';

/**
 * PyTorch's nn.Linear: y = x·Wᵀ + b with `${name}.weight` stored [out, in] and `${name}.bias`
 * [out] (absent for a layer without bias). `x` has the features last and any number of leading
 * axes. The product uses matMul's transpose flag rather than a transposed copy of W.
 */
export function linear(params: Params, name: string, x: tf.Tensor): tf.Tensor {
  const weight = params[`${name}.weight`];
  const bias = params[`${name}.bias`];
  const rows = x.rank === 2 ? x : x.reshape([-1, x.shape[x.rank - 1]]);
  const product = tf.matMul(rows, weight, false, true);
  const y = bias ? tf.add(product, bias) : product;
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), weight.shape[0]]);
}

/**
 * PyTorch's default initialisation of nn.Linear from `rng`: weight, then bias, uniform in
 * ±1/√in. The bias is drawn even when `bias` is false, so a layer's weight does not depend on it.
 */
export function initLinear(rng: Rng, name: string, inFeatures: number, outFeatures: number, bias = true): Params {
  const bound = 1 / Math.sqrt(inFeatures);
  const params: Params = {
    [`${name}.weight`]: tf.tensor2d(rng.uniformArray(outFeatures * inFeatures, -bound, bound), [
      outFeatures,
      inFeatures,
    ]),
  };
  const biasValues = rng.uniformArray(outFeatures, -bound, bound);
  if (bias) params[`${name}.bias`] = tf.tensor1d(biasValues);
  return params;
}

/** A linear layer's spec entries: its rows write `to`, its columns read `from`. */
export function linearAxes(name: string, to: Group, from: Group, bias = true): LayerAxes {
  return {
    [`${name}.weight`]: [writes(to), reads(from)],
    ...(bias ? { [`${name}.bias`]: [writes(to)] } : {}),
  };
}
