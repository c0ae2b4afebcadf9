import * as tf from '@tensorflow/tfjs';
import { composedLayerNorm, type Params } from '@weightspace/core';
import { type Group, type LayerAxes, writes } from './axes';
import { fusedLayerNorm } from './fused-layer-norm';

/**
 * PyTorch's default ε for BatchNorm, LayerNorm, GroupNorm (and ours for RMSNorm). The transformer
 * norms take another (timm's ViTs save LayerNorm with 1e-6).
 */
export const NORM_EPSILON = 1e-5;

/** Per-channel mean and biased variance over every axis but the last (batch and, for maps, space). */
export function channelMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/**
 * PyTorch's BatchNorm over the last (channel) axis: batch statistics in training, else
 * `${name}.running_mean` / `running_var`; then `${name}.weight` and `.bias`. Written as
 * x·scale + shift with per-channel scale and shift: it differentiates through the batch
 * statistics and costs two elementwise passes. (Running statistics are updated by training, not here.)
 */
export function batchNorm<T extends tf.Tensor>(params: Params, name: string, x: T, train: boolean): T {
  const { mean, variance } = train
    ? channelMoments(x)
    : { mean: params[`${name}.running_mean`], variance: params[`${name}.running_var`] };
  const scale = tf.mul(params[`${name}.weight`], tf.rsqrt(tf.add(variance, NORM_EPSILON)));
  const shift = tf.sub(params[`${name}.bias`], tf.mul(mean, scale));
  return tf.add(tf.mul(x, scale), shift);
}

/**
 * PyTorch's LayerNorm over the last axis, with per-feature `${name}.weight` and `.bias`: by the
 * backend's fused kernels where it has them (see fusedLayerNorm), else as tfjs operations.
 */
export function layerNorm<T extends tf.Tensor>(params: Params, name: string, x: T, epsilon = NORM_EPSILON): T {
  const [gamma, beta] = [params[`${name}.weight`], params[`${name}.bias`]];
  return (fusedLayerNorm(x, gamma, beta, epsilon) as T | undefined) ?? composedLayerNorm(x, gamma, beta, epsilon);
}

/** RMSNorm over the last axis: x / √(mean(x²) + ε) · `${name}.weight` (no bias, no centring). */
export function rmsNorm<T extends tf.Tensor>(params: Params, name: string, x: T, epsilon = NORM_EPSILON): T {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, epsilon))), params[`${name}.weight`]);
}

/** RMSNorm without a gain: x / √(mean(x²) + ε), which commutes with every orthogonal map of the features. */
export function unitRmsNorm<T extends tf.Tensor>(x: T, epsilon = NORM_EPSILON): T {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), epsilon)));
}

/**
 * PyTorch's GroupNorm on an NHWC map: the channels split into `groups` consecutive groups, each
 * standardised per sample over its channels and the spatial axes; then per-channel `${name}.weight`
 * and `.bias`. One group is the "LayerNorm" of convolutional networks.
 */
export function groupNorm(params: Params, name: string, x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const normalised =
    groups === 1
      ? standardise(x, [1, 2, 3])
      : (standardise(x.reshape([n, h, w, groups, c / groups]), [1, 2, 4]).reshape([n, h, w, c]) as tf.Tensor4D);
  return tf.add(tf.mul(normalised, params[`${name}.weight`]), params[`${name}.bias`]);
}

function standardise<T extends tf.Tensor>(x: T, axes: number[]): T {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, NORM_EPSILON)));
}

/**
 * What a norm layer stores: the affine pair, optionally running statistics (BatchNorm), a weight
 * alone (RMSNorm), or nothing (an RMSNorm whose gain was folded into the next layer).
 */
export type NormParameters = 'affine' | 'affine+running' | 'weight' | 'none';

/** A norm layer's initial parameters: weight 1, bias 0, running mean 0, running variance 1. */
export function initNorm(name: string, channels: number, stored: NormParameters = 'affine'): Params {
  if (stored === 'none') return {};
  const params: Params = { [`${name}.weight`]: tf.ones([channels]) };
  if (stored !== 'weight') params[`${name}.bias`] = tf.zeros([channels]);
  if (stored === 'affine+running') {
    params[`${name}.running_mean`] = tf.zeros([channels]);
    params[`${name}.running_var`] = tf.ones([channels]);
  }
  return params;
}

/** The names a norm layer stores. */
export function normParamNames(name: string, stored: NormParameters = 'affine'): string[] {
  if (stored === 'none') return [];
  return [
    `${name}.weight`,
    ...(stored === 'weight' ? [] : [`${name}.bias`]),
    ...(stored === 'affine+running' ? [`${name}.running_mean`, `${name}.running_var`] : []),
  ];
}

/**
 * A norm layer's spec entries: every per-channel vector moves with the channels of `group`. A
 * permutation commutes with every norm here (their statistics are over all channels, or per
 * channel); an orthogonal map commutes with RMSNorm only, and with LayerNorm after it is written
 * as RMSNorm (the transformer's canonical form).
 */
export function normAxes(name: string, group: Group, stored: NormParameters = 'affine'): LayerAxes {
  return Object.fromEntries(normParamNames(name, stored).map((param) => [param, [writes(group)]]));
}
