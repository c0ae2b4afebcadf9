import * as tf from '@tensorflow/tfjs';

/**
 * The functions of the fused kernels in kernel-names.ts as tfjs operations: what runs where the
 * active backend registers no fused kernel, and the reference the backend conformance suite
 * holds each fused kernel to (values and tfjs's gradients).
 */

/** GELU, exactly: ½x(1 + erf(x/√2)) (`GELU`). */
export function composedGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** LayerNorm over the last axis, (x − μ)/√(σ² + ε)·γ + β with the biased variance (`LAYER_NORM`). */
export function composedLayerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(normalised, gamma), beta) as T;
}
