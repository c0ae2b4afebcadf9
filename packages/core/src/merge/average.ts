import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';

/**
 * Σ_i w_i θ_i with weights normalised to sum to 1 (uniform when omitted). Integer parameters
 * (counters) are taken from the first model.
 */
export function weightedAverage(models: readonly Params[], weights?: readonly number[]): Params {
  if (models.length === 0) throw new Error('cannot average zero models');
  const w = weights ?? models.map(() => 1);
  if (w.length !== models.length) throw new Error(`${w.length} weights for ${models.length} models`);
  const total = w.reduce((a, b) => a + b, 0);
  const out: Params = {};
  for (const [name, first] of Object.entries(models[0])) {
    out[name] =
      first.dtype === 'float32'
        ? tf.tidy(() => models.map((m, i) => tf.mul(m[name], w[i] / total)).reduce((acc, t) => tf.add(acc, t)))
        : first.clone();
  }
  return out;
}
