import * as tf from '@tensorflow/tfjs';
import { hashString, Rng } from '@weightspace/core';

/**
 * FiGLU, the σ-asymmetric nonlinearity (Lim et al. 2024): sigmoid(F x) ⊙ x with a fixed random
 * F (d × d, N(0, 1)). It is not elementwise, so permuting hidden units no longer commutes with it.
 * Acts on the last axis: dense features [N, d], or feature maps [N, H, W, d] as a 1×1 convolution.
 */
export function figlu(x: tf.Tensor, f: tf.Tensor2D): tf.Tensor {
  const d = x.shape[x.rank - 1];
  const flat = x.reshape([-1, d]);
  const gate = tf.sigmoid(tf.matMul(flat, tf.transpose(f)));
  return tf.mul(gate, flat).reshape(x.shape);
}

/** The fixed F of a FiGLU layer, a pure function of (layer key, seed). */
export function figluMatrix(layerKey: string, d: number, seed = 0): Float32Array {
  return new Rng(hashString(`${seed}/${layerKey}/figlu`)).normalArray(d * d);
}
