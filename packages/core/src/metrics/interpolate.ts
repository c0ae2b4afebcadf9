import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';

/**
 * (1 − t)·A + t·B for every float parameter. Integer parameters (counters) cannot be
 * interpolated: they are taken from the nearer endpoint.
 *
 * @param a the model at t = 0
 * @param b the model at t = 1, with the same names and shapes
 * @param t the interpolation weight
 * @returns new parameters (1 − t)·A + t·B
 * @example
 * ```ts
 * import { lerp, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const midpoint = lerp(toyPerceptron.init(config, 0), toyPerceptron.init(config, 1), 0.5);
 * console.log(Object.keys(midpoint));
 * ```
 */
export function lerp(a: Params, b: Params, t: number): Params {
  const out: Params = {};
  for (const [name, x] of Object.entries(a)) {
    const y = b[name];
    if (y === undefined) throw new Error(`parameter '${name}' is missing from the second model`);
    out[name] =
      x.dtype === 'float32' ? tf.tidy(() => tf.add(tf.mul(x, 1 - t), tf.mul(y, t))) : (t < 0.5 ? x : y).clone();
  }
  return out;
}
