import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import type { Params } from '@weightspace/core';
import { initLinear, linear, linearAxes } from './linear';
import { gaussian, invariance } from './testing/invariance';

beforeAll(() => cpuBackend.activate());

describe('linear', () => {
  it('computes x·Wᵀ + b for W stored [out, in], on any leading axes', () => {
    const params: Params = {
      'fc.weight': tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      'fc.bias': tf.tensor1d([0.5, -1]),
    };
    expect(Array.from(linear(params, 'fc', tf.tensor2d([[1, 0, -1]])).dataSync())).toEqual([-1.5, -3]);
    const tokens = linear(
      params,
      'fc',
      tf.tensor3d([
        [
          [1, 0, -1],
          [0, 1, 0],
        ],
      ]),
    );
    expect(tokens.shape).toEqual([1, 2, 2]);
    expect(Array.from(tokens.dataSync())).toEqual([-1.5, -3, 2.5, 4]);
    expect(
      Array.from(linear({ 'fc.weight': params['fc.weight'] }, 'fc', tf.tensor2d([[1, 0, -1]])).dataSync()),
    ).toEqual([-2, -2]);
  });

  it('initialises as PyTorch does: uniform in ±1/√in, reproducibly, the weight independent of the bias', () => {
    const params = initLinear(new Rng(3), 'fc', 16, 8);
    const w = Array.from(params['fc.weight'].dataSync());
    expect(params['fc.weight'].shape).toEqual([8, 16]);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.2);
    expect(Array.from(initLinear(new Rng(3), 'fc', 16, 8, false)['fc.weight'].dataSync())).toEqual(w);
    expect(initLinear(new Rng(3), 'fc', 16, 8, false)['fc.bias']).toBeUndefined();
  });

  it('declares a hidden permutation between two layers that leaves the function unchanged', () => {
    const rng = new Rng(5);
    const params = { ...initLinear(rng.fork('a'), 'a', 6, 5), ...initLinear(rng.fork('b'), 'b', 5, 3) };
    const x = gaussian([4, 6], 9);
    const forward = (p: Params) => linear(p, 'b', tf.relu(linear(p, 'a', x)));
    const axes = { ...linearAxes('a', 'hidden', null), ...linearAxes('b', null, 'hidden') };
    const { outputChange, paramsMoved } = invariance(
      forward,
      params,
      { hidden: { kind: 'permutation', size: 5 } },
      axes,
    );
    expect(outputChange).toBeLessThan(1e-5);
    expect(paramsMoved).toBeGreaterThan(1e-2);
  });
});
