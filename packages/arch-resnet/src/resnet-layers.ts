import * as tf from '@tensorflow/tfjs';
import type { Params } from '@weightspace/core';
import type { NormKind } from './resnet-config';

/** PyTorch's defaults for BatchNorm2d and GroupNorm. */
export const NORM_EPSILON = 1e-5;

/**
 * A convolution with PyTorch's weight layout [out, in, kh, kw] on an NHWC input, padded by `pad`
 * on every side as PyTorch pads (not TensorFlow's 'same', which pads stride-2 layers unevenly).
 */
export function conv(x: tf.Tensor4D, weight: tf.Tensor, stride: number, pad: number, bias?: tf.Tensor): tf.Tensor4D {
  const filter = tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D;
  const y = tf.conv2d(x, filter, stride, pad);
  return bias ? tf.add(y, bias) : y;
}

/** Per-channel mean and biased variance of an NHWC map (over batch, height and width). */
export function channelMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/**
 * Normalises an NHWC map and applies the per-channel affine map of the layer named `prefix`:
 * - `batchnorm`: batch statistics in training, `running_mean` / `running_var` otherwise;
 * - `layernorm`: GroupNorm with one group, statistics per sample over height, width and channels;
 * - `none`: the identity.
 * Written as x·scale + shift with per-channel scale and shift, which differentiates through the
 * batch statistics and costs two elementwise passes.
 */
export function normalise(kind: NormKind, x: tf.Tensor4D, params: Params, prefix: string, train: boolean): tf.Tensor4D {
  if (kind === 'none') return x;
  const gamma = params[`${prefix}.weight`];
  const beta = params[`${prefix}.bias`];
  if (kind === 'layernorm') {
    const { mean, variance } = tf.moments(x, [1, 2, 3], true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, NORM_EPSILON)));
    return tf.add(tf.mul(normalised, gamma), beta);
  }
  const { mean, variance } = train
    ? channelMoments(x)
    : { mean: params[`${prefix}.running_mean`], variance: params[`${prefix}.running_var`] };
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, NORM_EPSILON)));
  const shift = tf.sub(beta, tf.mul(mean, scale));
  return tf.add(tf.mul(x, scale), shift);
}
