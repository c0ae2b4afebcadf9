import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import type { Params } from '@weightspace/core';
import { initLinear, linear, linearAxes } from './linear';
import { batchNorm, groupNorm, initNorm, layerNorm, NORM_EPSILON, normAxes, normParamNames, rmsNorm } from './norms';
import { gaussian, invariance } from './testing/invariance';

beforeAll(() => cpuBackend.activate());

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const expectClose = (a: number[], b: number[], tolerance = 1e-5) =>
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(tolerance));

/** Standardises a list of numbers with the biased variance and ε. */
const standardised = (xs: number[]) => {
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
  return xs.map((v) => (v - mean) / Math.sqrt(variance + NORM_EPSILON));
};

describe('norm layers', () => {
  const affine = { 'n.weight': tf.tensor1d([2, 0.5, 1]), 'n.bias': tf.tensor1d([1, 0, -1]) };
  const x = tf.tensor2d([
    [1, 2, 4],
    [0, -3, 3],
  ]);

  it('layerNorm standardises each row, then scales and shifts each feature', () => {
    const expected = [
      [1, 2, 4],
      [0, -3, 3],
    ].flatMap((row) => standardised(row).map((v, f) => v * [2, 0.5, 1][f] + [1, 0, -1][f]));
    expectClose(values(layerNorm(affine, 'n', x)), expected);
  });

  it('rmsNorm divides each row by its root mean square, then scales (no centring)', () => {
    const rows = [
      [1, 2, 4],
      [0, -3, 3],
    ];
    const expected = rows.flatMap((row) => {
      const rms = Math.sqrt(row.reduce((s, v) => s + v * v, 0) / row.length + NORM_EPSILON);
      return row.map((v, f) => (v / rms) * [2, 0.5, 1][f]);
    });
    expectClose(values(rmsNorm({ 'n.weight': affine['n.weight'] }, 'n', x)), expected);
  });

  it('layerNorm and rmsNorm take another ε (timm saves 1e-6), which matters where a row barely varies', () => {
    const flat = tf.tensor2d([[1, 1.001, 0.999]]);
    const row = [1, 1.001, 0.999];
    const mean = 1;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 3;
    for (const epsilon of [1e-6, 1e-2]) {
      const expected = row.map((v, f) => ((v - mean) / Math.sqrt(variance + epsilon)) * [2, 0.5, 1][f] + [1, 0, -1][f]);
      expectClose(values(layerNorm(affine, 'n', flat, epsilon)), expected, 1e-3);
      const rms = Math.sqrt(row.reduce((s, v) => s + v * v, 0) / 3 + epsilon);
      expectClose(
        values(rmsNorm({ 'n.weight': affine['n.weight'] }, 'n', flat, epsilon)),
        row.map((v, f) => (v / rms) * [2, 0.5, 1][f]),
      );
    }
    // With a variance of 6.7e-7, ε 1e-6 and 1e-5 give outputs 2.5× apart.
    const [timm, pytorch] = [1e-6, NORM_EPSILON].map((epsilon) => values(layerNorm(affine, 'n', flat, epsilon))[1]);
    expect(timm / pytorch).toBeCloseTo(Math.sqrt((2e-6 / 3 + 1e-5) / (2e-6 / 3 + 1e-6)), 1);
  });

  it('batchNorm uses batch statistics in training and the running ones in evaluation', () => {
    const params = { ...affine, 'n.running_mean': tf.tensor1d([1, 1, 1]), 'n.running_var': tf.tensor1d([4, 4, 4]) };
    const columns = [
      [1, 0],
      [2, -3],
      [4, 3],
    ].map(standardised);
    const trained = [0, 1].flatMap((r) => columns.map((c, f) => c[r] * [2, 0.5, 1][f] + [1, 0, -1][f]));
    expectClose(values(batchNorm(params, 'n', x, true)), trained);
    const evaluated = [
      [1, 2, 4],
      [0, -3, 3],
    ].flatMap((row) => row.map((v, f) => ((v - 1) / Math.sqrt(4 + NORM_EPSILON)) * [2, 0.5, 1][f] + [1, 0, -1][f]));
    expectClose(values(batchNorm(params, 'n', x, false)), evaluated);
  });

  it('groupNorm standardises each sample over its group’s channels and the spatial axes', () => {
    const maps = gaussian([2, 3, 3, 4], 7, 2) as tf.Tensor4D;
    const params = initNorm('g', 4);
    const data = maps.arraySync() as number[][][][];
    for (const groups of [1, 2]) {
      const out = groupNorm(params, 'g', maps, groups).arraySync() as number[][][][];
      const size = 4 / groups;
      for (let n = 0; n < 2; n++) {
        for (let g = 0; g < groups; g++) {
          const entries = data[n].flatMap((row) => row.flatMap((pixel) => pixel.slice(g * size, (g + 1) * size)));
          const got = out[n].flatMap((row) => row.flatMap((pixel) => pixel.slice(g * size, (g + 1) * size)));
          expectClose(got, standardised(entries), 1e-4);
        }
      }
    }
  });

  it('names and initialises what each kind stores', () => {
    expect(normParamNames('bn', 'affine+running')).toEqual([
      'bn.weight',
      'bn.bias',
      'bn.running_mean',
      'bn.running_var',
    ]);
    expect(normParamNames('rms', 'weight')).toEqual(['rms.weight']);
    const bn = initNorm('bn', 3, 'affine+running');
    expect(Object.keys(bn)).toEqual(normParamNames('bn', 'affine+running'));
    expect([values(bn['bn.weight']), values(bn['bn.bias']), values(bn['bn.running_var'])]).toEqual([
      [1, 1, 1],
      [0, 0, 0],
      [1, 1, 1],
    ]);
  });

  it('commute with a permutation of the features they normalise, between the layers that write and read them', () => {
    const rng = new Rng(4);
    for (const [norm, stored] of [
      [layerNorm, 'affine'],
      [rmsNorm, 'weight'],
    ] as const) {
      const n: Params =
        stored === 'weight'
          ? { 'n.weight': gaussian([6], 1) }
          : { 'n.weight': gaussian([6], 1), 'n.bias': gaussian([6], 2) };
      const params: Params = { ...initLinear(rng.fork('a'), 'a', 4, 6), ...n, ...initLinear(rng.fork('b'), 'b', 6, 2) };
      const x = gaussian([3, 4], 3);
      const forward = (p: Params) => linear(p, 'b', norm(p, 'n', linear(p, 'a', x)));
      const axes = { ...linearAxes('a', 'f', null), ...normAxes('n', 'f', stored), ...linearAxes('b', null, 'f') };
      const { outputChange, paramsMoved } = invariance(forward, params, { f: { kind: 'permutation', size: 6 } }, axes);
      expect(outputChange).toBeLessThan(1e-5);
      expect(paramsMoved).toBeGreaterThan(1e-2);
    }
  });
});
