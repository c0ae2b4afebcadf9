import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { wasmBackend } from '../wasm-backend';

interface Case {
  shape: number[];
  axis: number | number[];
  keepDims: boolean;
}

const cases: Case[] = [
  { shape: [512, 10], axis: 0, keepDims: false }, // a bias gradient
  { shape: [7, 5], axis: [0], keepDims: true },
  { shape: [3, 4, 9], axis: [1, 0], keepDims: false }, // two leading axes, given out of order
  { shape: [3, 4, 9], axis: [0, 1], keepDims: true },
  { shape: [6, 3], axis: 1, keepDims: false }, // trailing: the backend's own kernel
  { shape: [6, 3], axis: [0, 1], keepDims: false }, // every axis: the backend's own kernel
  { shape: [2, 3, 5], axis: 1, keepDims: false }, // a middle axis: the backend's own kernel
];

function summed(c: Case): { values: number[]; shape: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor(new Rng(5).normalArray(c.shape.reduce((p, q) => p * q, 1)), c.shape);
    const y = tf.sum(x, c.axis, c.keepDims);
    return { values: Array.from(y.dataSync()), shape: y.shape };
  });
}

describe('wasm sum kernel', () => {
  const reference: { values: number[]; shape: number[] }[] = [];
  beforeAll(async () => {
    await cpuBackend.activate();
    for (const c of cases) reference.push(summed(c));
    await wasmBackend.activate();
  });
  afterAll(() => cpuBackend.activate());

  it.each(cases.map((c, i) => [i, c] as const))('case %i equals the cpu backend (%j)', (i, c) => {
    const ours = summed(c);
    expect(ours.shape).toEqual(reference[i].shape);
    ours.values.forEach((v, j) => expect(Math.abs(v - reference[i].values[j])).toBeLessThan(1e-4));
  });
});
