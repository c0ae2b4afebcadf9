import * as tf from '@tensorflow/tfjs';
import { cpuBackend, wasmBackend } from '../backend/backend-provider';
import { Rng } from '../random/rng';
import { Adam } from './adam';

/** Five steps of an optimizer on a small least-squares problem (sizes not multiples of 4); the parameters after each step. */
function trajectory(step: (objective: () => tf.Scalar, variables: tf.Variable[]) => void): number[][] {
  const rng = new Rng(3);
  const [w, b] = tf.tidy(() => [
    tf.variable(tf.tensor2d(rng.normalArray(7 * 5), [7, 5])),
    tf.variable(tf.tensor1d(rng.normalArray(5))),
  ]);
  const x = tf.tensor2d(rng.normalArray(9 * 7), [9, 7]);
  const y = tf.tensor2d(rng.normalArray(9 * 5), [9, 5]);
  const out: number[][] = [];
  for (let k = 0; k < 5; k++) {
    step(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))), [w, b]);
    out.push([...w.dataSync(), ...b.dataSync()]);
  }
  tf.dispose([w, b, x, y]);
  return out;
}

describe('Adam', () => {
  afterAll(() => cpuBackend.activate());

  it.each(['cpu', 'wasm'])("takes the same steps as tfjs's Adam on %s (fused kernel on wasm)", async (backend) => {
    await (backend === 'wasm' ? wasmBackend : cpuBackend).activate();
    const reference = tf.train.adam(0.05);
    const expected = trajectory((f, vars) => tf.dispose(reference.minimize(f, true, vars) ?? undefined));
    reference.dispose();
    const ours = new Adam(0.05);
    const before = tf.memory().numTensors;
    const actual = trajectory((f, vars) => tf.dispose(ours.minimize(f, vars)));
    ours.dispose();
    expect(tf.memory().numTensors).toBe(before);
    actual.forEach((params, k) => params.forEach((p, i) => expect(Math.abs(p - expected[k][i])).toBeLessThan(1e-5)));
    // The parameters moved: the comparison is not between two copies of the start.
    expect(Math.abs(actual[4][0] - actual[0][0])).toBeGreaterThan(1e-3);
  });
});
