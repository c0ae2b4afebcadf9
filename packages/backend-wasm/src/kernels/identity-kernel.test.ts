import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '@weightspace/core';
import { wasmBackend } from '../wasm-backend';

describe('wasm identity kernel', () => {
  beforeAll(() => wasmBackend.activate());
  afterAll(() => cpuBackend.activate());

  it('clones without copying, and a clone outlives its source', () => {
    const before = tf.memory().numTensors;
    const buffersBefore = tf.memory().numDataBuffers;
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.clone(x);
    // Two tensors, one buffer.
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(tf.memory().numDataBuffers).toBe(buffersBefore + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numDataBuffers).toBe(buffersBefore);
  });

  it('leaves gradients unchanged (operations save their inputs through it)', () => {
    const w = tf.tensor2d([0.5, -1, 2, 0.25], [2, 2]);
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, t))))(w);
    // d/dW Σ (xW)² = 2 xᵀ x W
    const expected = tf.mul(2, tf.matMul(tf.matMul(x, x, true, false), w));
    const worst = Math.max(...Array.from(tf.abs(tf.sub(g, expected)).dataSync()));
    expect(worst).toBeLessThan(1e-4);
  });

  it('casts to the same dtype without copying, and to another dtype by converting', () => {
    const buffersBefore = tf.memory().numDataBuffers;
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const same = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(buffersBefore + 1);
    const whole = tf.cast(x, 'int32');
    expect(tf.memory().numDataBuffers).toBe(buffersBefore + 2);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
    expect(whole.dtype).toBe('int32');
    expect(Array.from(whole.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([same, whole]);
    expect(tf.memory().numDataBuffers).toBe(buffersBefore);
  });
});
