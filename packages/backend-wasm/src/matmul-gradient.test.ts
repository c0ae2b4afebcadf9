import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { installMatMulGradient } from './matmul-gradient';

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Rng(seed).normalArray(shape.reduce((a, b) => a * b, 1)), shape);
}

function gradients(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): [Float32Array, Float32Array] {
  const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), tf.matMul(x, y, ta, tb)));
  const [ga, gb] = tf.grads(f)([a, b]);
  return [ga.dataSync() as Float32Array, gb.dataSync() as Float32Array];
}

describe.each([true, false])('matMul gradient (explicit transposes: %s)', (explicitTransposes) => {
  beforeAll(() => cpuBackend.activate());
  const builtIn = tf.getGradient(tf.BatchMatMul);
  // The gradient registry is global: put tfjs's own gradient back so every case compares to it.
  afterEach(() => tf.registerGradient(builtIn as tf.GradConfig));

  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[3, 4], [4, 5], false, false],
    [[3, 4], [5, 4], false, true],
    [[4, 3], [4, 5], true, false],
    [[4, 3], [5, 4], true, true],
    [[2, 3, 4], [2, 4, 5], false, false],
    [[2, 4, 3], [2, 5, 4], true, true],
  ];

  it.each(cases)('matches the built-in gradient for a%j b%j (tA %s, tB %s)', (sa, sb, ta, tb) => {
    const a = rand(sa, 1);
    const b = rand(sb, 2);
    expect(tf.getGradient(tf.BatchMatMul)).toBe(builtIn);
    const reference = gradients(a, b, ta, tb);
    installMatMulGradient(explicitTransposes);
    const ours = gradients(a, b, ta, tb);
    for (let k = 0; k < 2; k++) {
      expect(ours[k].length).toBe(reference[k].length);
      ours[k].forEach((v, i) => expect(v).toBeCloseTo(reference[k][i], 3));
    }
  });

  it("sums a broadcast operand's gradient over the batch", () => {
    // tfjs's own gradient rejects this case; the reference is the same product with b tiled.
    const a = rand([2, 3, 4], 1);
    const b = rand([4, 5], 2);
    const tiled = tf.stack([b, b]);
    const [, perBatch] = gradients(a, tiled, false, false);
    installMatMulGradient(explicitTransposes);
    const [, ours] = gradients(a, b, false, false);
    expect(ours.length).toBe(20);
    ours.forEach((v, i) => expect(v).toBeCloseTo(perBatch[i] + perBatch[i + 20], 3));
  });
});
