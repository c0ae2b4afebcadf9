import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';

/**
 * (1 − t)·A + t·B for every float parameter. Integer parameters (counters) cannot be
 * interpolated: they are taken from the nearer endpoint.
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
