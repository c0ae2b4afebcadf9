import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { wasmBackend } from './wasm-backend';
import { installConvFilterGradientAsConv } from './conv-gradient';

type Pad = 'same' | 'valid' | number;
const cases: Array<[string, number[], number[], number, Pad]> = [
  ['3×3 stride 1 same', [2, 7, 7, 3], [3, 3, 3, 4], 1, 'same'],
  ['3×3 stride 2 same', [2, 8, 8, 3], [3, 3, 3, 5], 2, 'same'],
  ['3×3 stride 2 same, odd size', [1, 7, 9, 2], [3, 3, 2, 3], 2, 'same'],
  ['1×1 stride 2 (shortcut)', [2, 8, 8, 4], [1, 1, 4, 6], 2, 'valid'],
  ['5×5 stride 1 valid', [2, 9, 9, 2], [5, 5, 2, 3], 1, 'valid'],
  ['3×3 stride 1 explicit pad 1', [2, 6, 6, 3], [3, 3, 3, 2], 1, 1],
  ['3×3 stride 2 pad 1 (PyTorch-style downsampling)', [2, 8, 8, 3], [3, 3, 3, 4], 2, 1],
  ['3×3 stride 2 pad 1, odd size', [1, 9, 7, 2], [3, 3, 2, 3], 2, 1],
  ['1×1 stride 2 valid, odd size', [2, 7, 7, 3], [1, 1, 3, 2], 2, 'valid'],
  ['3×3 stride 3 valid (rows left over)', [1, 10, 11, 2], [3, 3, 2, 2], 3, 'valid'],
  ['2×2 stride 2 same', [1, 6, 5, 2], [2, 2, 2, 3], 2, 'same'],
];

function gradients(xs: number[], ws: number[], stride: number, pad: Pad): { dx: number[]; dw: number[] } {
  const rng = new Rng(xs.reduce((a, b) => a * 31 + b, 7));
  const x = tf.tensor4d(rng.normalArray(xs.reduce((a, b) => a * b, 1)), xs as [number, number, number, number]);
  const w = tf.tensor4d(
    rng.normalArray(
      ws.reduce((a, b) => a * b, 1),
      0.3,
    ),
    ws as [number, number, number, number],
  );
  const f = (a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad as 'same')));
  const [dx, dw] = tf.grads(f)([x, w]);
  return { dx: Array.from(dx.dataSync()), dw: Array.from(dw.dataSync()) };
}

describe('convolution gradients as forward convolutions', () => {
  const builtIn = tf.getGradient(tf.Conv2D);
  afterAll(() => tf.registerGradient(builtIn as tf.GradConfig));

  it('is needed: tfjs’s own filter gradient has no kernel on wasm', async () => {
    await wasmBackend.activate();
    tf.registerGradient(builtIn as tf.GradConfig);
    expect(() => gradients([1, 5, 5, 2], [3, 3, 2, 2], 1, 'same')).toThrow(/Conv2DBackpropFilter/);
  });

  it.each(cases)('%s: matches tfjs’s own gradient on cpu, and runs on wasm', async (_name, xs, ws, stride, pad) => {
    await cpuBackend.activate();
    tf.registerGradient(builtIn as tf.GradConfig);
    const reference = gradients(xs, ws, stride, pad);
    installConvFilterGradientAsConv();
    const ours = gradients(xs, ws, stride, pad);
    await wasmBackend.activate();
    const onWasm = gradients(xs, ws, stride, pad);
    for (const [got, want] of [
      [ours.dw, reference.dw],
      [ours.dx, reference.dx],
      [onWasm.dw, reference.dw],
      [onWasm.dx, reference.dx],
    ]) {
      expect(got.length).toBe(want.length);
      const scale = Math.max(1, ...want.map(Math.abs));
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-4 * scale));
    }
  });
});
