import * as tf from '@tensorflow/tfjs';
import { hashString, restrictSpec, Rng, type SymmetrySpec } from '@weightspace/core';

/**
 * FiGLU, the σ-asymmetric nonlinearity (Lim et al. 2024): sigmoid(F x) ⊙ x with a fixed random
 * F (d × d, N(0, 1)). It is not elementwise, so permuting hidden units no longer commutes with it.
 * Acts on the last axis: dense features [N, d], or feature maps [N, H, W, d] as a 1×1 convolution.
 */
export function figlu(x: tf.Tensor, f: tf.Tensor2D): tf.Tensor {
  const d = x.shape[x.rank - 1];
  const flat = x.reshape([-1, d]);
  const gate = tf.sigmoid(tf.matMul(flat, f, false, true));
  return tf.mul(gate, flat).reshape(x.shape);
}

/** The fixed F of a FiGLU layer, a pure function of (layer key, seed). */
export function figluMatrix(layerKey: string, d: number, seed = 0): Float32Array {
  return new Rng(hashString(`${seed}/${layerKey}/figlu`)).normalArray(d * d);
}

/** FiGLU matrices as tensors, made once per (seed, layer key, size) and released together. */
export interface FigluMatrixCache {
  get(layerKey: string, d: number, seed: number): tf.Tensor2D;
  dispose(): void;
}

/**
 * A cache of FiGLU matrices for a σ-asymmetric plugin's lifetime (its `dispose` releases them):
 * the matrices are rebuilt from the config, never stored in checkpoints.
 */
export function figluMatrices(): FigluMatrixCache {
  const cache = new Map<string, tf.Tensor2D>();
  return {
    get(layerKey, d, seed) {
      const key = `${seed}/${layerKey}/${d}`;
      let f = cache.get(key);
      if (!f) {
        f = tf.keep(tf.tensor2d(figluMatrix(layerKey, d, seed), [d, d]));
        cache.set(key, f);
      }
      return f;
    },
    dispose() {
      for (const f of cache.values()) f.dispose();
      cache.clear();
    },
  };
}

/** The spec with every group removed and every axis left unacted on: a network with no symmetry left. */
export function withoutSymmetry(spec: SymmetrySpec): SymmetrySpec {
  return restrictSpec(spec, []);
}
