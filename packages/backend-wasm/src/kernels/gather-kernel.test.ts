import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { wasmBackend } from '../wasm-backend';
import { installWasmGatherKernel } from './gather-kernel';

interface Case {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  indices: number[];
  indicesShape?: number[];
  axis: number;
}

const cases: Case[] = [
  { shape: [6, 5], dtype: 'float32', indices: [5, 0, 3, 3, 1], axis: 0 },
  { shape: [6, 5], dtype: 'float32', indices: [4, 2, 0], axis: 1 },
  { shape: [3, 4, 5, 2], dtype: 'int32', indices: [3, 1, 2, 0], axis: 1 },
  { shape: [3, 4, 5, 2], dtype: 'float32', indices: [1, 0, 1, 1, 0, 0], indicesShape: [2, 3], axis: -1 },
  { shape: [7], dtype: 'float32', indices: [], axis: 0 },
  { shape: [4, 3], dtype: 'bool', indices: [2, 0], axis: 0 }, // left to the kernel it replaces
];

function gathered(c: Case): { values: number[]; shape: number[] } {
  return tf.tidy(() => {
    const n = c.shape.reduce((x, y) => x * y, 1);
    const raw = Array.from(new Rng(7).normalArray(n), (v) =>
      c.dtype === 'float32' ? v : c.dtype === 'int32' ? Math.round(v * 100) : Number(v > 0),
    );
    const x = tf.tensor(raw, c.shape, c.dtype);
    const y = tf.gather(x, tf.tensor(c.indices, c.indicesShape ?? [c.indices.length], 'int32'), c.axis);
    return { values: Array.from(y.dataSync()), shape: y.shape };
  });
}

describe('wasm gather kernel', () => {
  const reference: { values: number[]; shape: number[] }[] = [];
  beforeAll(async () => {
    await cpuBackend.activate();
    for (const c of cases) reference.push(gathered(c));
    await wasmBackend.activate();
  });
  afterAll(() => cpuBackend.activate());

  it('is installed by the wasm backend', () => {
    const kernel = tf.getKernel(tf.GatherV2, 'wasm');
    expect(installWasmGatherKernel()).toBe(true);
    expect(tf.getKernel(tf.GatherV2, 'wasm')).toBe(kernel);
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i equals the cpu backend exactly (%j)', (i, c) => {
    expect(gathered(c)).toEqual(reference[i]);
  });

  it('rejects an index out of range, naming it and the range', () => {
    expect(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([0, 3], 'int32'), 0)).toThrow(
      'GatherV2: the index value 3 is not in [0, 2]',
    );
    expect(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([-1], 'int32'), 1)).toThrow(
      'GatherV2: the index value -1 is not in [0, 1]',
    );
  });
});
