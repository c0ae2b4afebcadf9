import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { wasmBackend } from '../wasm-backend';

interface Case {
  shape: number[];
  sizes: number | number[];
  axis: number;
  dtype: 'float32' | 'int32' | 'bool';
}

const cases: Case[] = [
  { shape: [4, 6, 15], sizes: [5, 5, 5], axis: -1, dtype: 'float32' }, // fused q, k, v
  { shape: [4, 6, 15], sizes: [2, 0, 13], axis: 2, dtype: 'float32' }, // an empty part
  { shape: [5, 7, 3], sizes: [3, -1], axis: 1, dtype: 'float32' }, // a middle axis, one size inferred
  { shape: [6, 4], sizes: 3, axis: 0, dtype: 'int32' }, // the leading axis, equal parts
  { shape: [2, 6], sizes: 2, axis: 1, dtype: 'bool' }, // 1-byte elements: the backend's own kernel
];

function split(c: Case): Array<{ values: number[]; shape: number[] }> {
  return tf.tidy(() => {
    const size = c.shape.reduce((p, q) => p * q, 1);
    const values = new Rng(9).normalArray(size).map((v) => (c.dtype === 'float32' ? v : Math.round(2 * v)));
    const x = c.dtype === 'bool' ? tf.tensor(values, c.shape).greater(0) : tf.tensor(values, c.shape, c.dtype);
    return tf.split(x, c.sizes, c.axis).map((part) => ({ values: Array.from(part.dataSync()), shape: part.shape }));
  });
}

describe('wasm split kernel', () => {
  const reference: Array<Array<{ values: number[]; shape: number[] }>> = [];
  beforeAll(async () => {
    await cpuBackend.activate();
    for (const c of cases) reference.push(split(c));
    await wasmBackend.activate();
  });
  afterAll(() => cpuBackend.activate());

  it.each(cases.map((c, i) => [i, c] as const))('case %i equals the cpu backend exactly (%j)', (i, c) => {
    expect(split(c)).toEqual(reference[i]);
  });

  it('leaks no tensor or buffer', () => {
    const before = tf.memory();
    const x = tf.ones([3, 8]);
    tf.dispose(tf.split(x, [2, 6], 1));
    x.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });
});
