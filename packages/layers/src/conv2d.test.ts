import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import type { Params } from '@weightspace/core';
import { conv2d, conv2dAxes, initConv2d } from './conv2d';
import { batchNorm, initNorm, normAxes } from './norms';
import { gaussian, invariance } from './testing/invariance';

beforeAll(() => cpuBackend.activate());

/** A convolution written out: NHWC input, [out, in, k, k] weight, zero padding p on every side. */
function naiveConv(x: number[][][][], w: number[][][][], stride: number, pad: number): number[][][][] {
  const [h, wd] = [x[0].length, x[0][0].length];
  const k = w[0][0].length;
  const out = (size: number) => Math.floor((size + 2 * pad - k) / stride) + 1;
  return x.map((image) =>
    Array.from({ length: out(h) }, (_, i) =>
      Array.from({ length: out(wd) }, (_, j) =>
        w.map((filter) => {
          let sum = 0;
          filter.forEach((channel, c) =>
            channel.forEach((row, a) =>
              row.forEach((value, b) => {
                const [y, xx] = [i * stride + a - pad, j * stride + b - pad];
                if (y >= 0 && y < h && xx >= 0 && xx < wd) sum += value * image[y][xx][c];
              }),
            ),
          );
          return sum;
        }),
      ),
    ),
  );
}

describe('conv2d', () => {
  it.each([
    [1, 1],
    [2, 1],
    [2, 0],
  ])('matches a convolution written out with PyTorch padding (stride %i, padding %i)', (stride, padding) => {
    const x = gaussian([2, 7, 7, 3], 1);
    const params = initConv2d(new Rng(2), 'c', 3, 4, 3);
    const y = conv2d(params, 'c', x as tf.Tensor4D, { stride, padding });
    const expected = naiveConv(
      x.arraySync() as number[][][][],
      params['c.weight'].arraySync() as number[][][][],
      stride,
      padding,
    );
    const bias = Array.from(params['c.bias'].dataSync());
    expect(y.shape).toEqual([2, expected[0].length, expected[0][0].length, 4]);
    const flat = expected.flat(3).map((v, i) => v + bias[i % 4]);
    Array.from(y.dataSync()).forEach((v, i) => expect(Math.abs(v - flat[i])).toBeLessThan(1e-4));
  });

  it('halves 28 × 28 to 14 × 14 with stride 2 and padding 1, as PyTorch does', () => {
    const params = initConv2d(new Rng(3), 'c', 1, 2, 3, { std: 0.1 });
    expect(params['c.bias']).toBeUndefined();
    expect(conv2d(params, 'c', tf.zeros([1, 28, 28, 1]) as tf.Tensor4D, { stride: 2, padding: 1 }).shape).toEqual([
      1, 14, 14, 2,
    ]);
  });

  it('declares a channel permutation through conv, BatchNorm and conv that leaves the function unchanged', () => {
    const rng = new Rng(4);
    const params: Params = {
      ...initConv2d(rng.fork('a'), 'a', 2, 5, 3),
      ...initNorm('n', 5, 'affine+running'),
      ...initConv2d(rng.fork('b'), 'b', 5, 3, 3),
    };
    params['n.running_mean'] = gaussian([5], 5);
    const x = gaussian([2, 6, 6, 2], 6) as tf.Tensor4D;
    const forward = (p: Params) =>
      conv2d(p, 'b', tf.relu(batchNorm(p, 'n', conv2d(p, 'a', x, { stride: 1, padding: 1 }), false)), {
        stride: 1,
        padding: 1,
      });
    const axes = {
      ...conv2dAxes('a', 'mid', null, true),
      ...normAxes('n', 'mid', 'affine+running'),
      ...conv2dAxes('b', null, 'mid', true),
    };
    const { outputChange, paramsMoved } = invariance(forward, params, { mid: { kind: 'permutation', size: 5 } }, axes);
    expect(outputChange).toBeLessThan(1e-4);
    expect(paramsMoved).toBeGreaterThan(1e-2);
  });
});
