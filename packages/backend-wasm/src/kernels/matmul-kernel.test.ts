import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { wasmBackend } from '../wasm-backend';
import { installMatMulGradient } from '../matmul-gradient';
import { installWasmMatMulKernel } from './matmul-kernel';

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const cases: Case[] = [
  { a: [512, 100], b: [100, 64], transposeA: false, transposeB: false },
  { a: [33, 300], b: [17, 300], transposeA: false, transposeB: true },
  { a: [300, 33], b: [300, 17], transposeA: true, transposeB: false },
  { a: [9, 5], b: [7, 9], transposeA: true, transposeB: true },
  { a: [3, 6, 10], b: [3, 10, 4], transposeA: false, transposeB: false },
  { a: [2, 3, 6, 10], b: [10, 4], transposeA: false, transposeB: false }, // b broadcast over two batch axes
  { a: [1, 10, 6], b: [5, 4, 10], transposeA: true, transposeB: true }, // a broadcast
  { a: [4, 0], b: [0, 3], transposeA: false, transposeB: false }, // empty shared dimension: zeros
];

function values(shape: number[], seed: number): Float32Array {
  return new Rng(seed).normalArray(shape.reduce((x, y) => x * y, 1));
}

/** The product and both gradients of sum(y²), y = op(a)·op(b), on the active backend. */
function productAndGradients(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const a = tf.tensor(values(c.a, 1), c.a);
    const b = tf.tensor(values(c.b, 2), c.b);
    const y = tf.matMul(a, b, c.transposeA, c.transposeB);
    const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) =>
      tf.sum(tf.square(tf.matMul(x, z, c.transposeA, c.transposeB))),
    )([a, b]);
    return [y.dataSync() as Float32Array, ga.dataSync() as Float32Array, gb.dataSync() as Float32Array];
  });
}

describe('wasm matMul kernel', () => {
  const reference: Float32Array[][] = [];
  beforeAll(async () => {
    // The reference: the cpu backend, with the gradient computed through explicit transposes
    // (tfjs's own gradient rejects a broadcast operand); the wasm backend's activation then
    // installs the gradient that uses transpose flags.
    await cpuBackend.activate();
    installMatMulGradient(true);
    for (const c of cases) reference.push(productAndGradients(c));
    await wasmBackend.activate();
  });
  afterAll(() => cpuBackend.activate());

  it('is installed by the wasm backend, once however often it is activated', async () => {
    const kernel = tf.getKernel(tf.BatchMatMul, 'wasm');
    expect(installWasmMatMulKernel()).toBe(true);
    await wasmBackend.activate();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(kernel);
  });

  it.each(cases.map((c, i) => [i, c] as const))(
    "case %i: product and gradients equal the cpu backend's (%j)",
    (i, c) => {
      const ours = productAndGradients(c);
      for (let k = 0; k < 3; k++) {
        expect(ours[k].length).toBe(reference[i][k].length);
        const scale = Math.max(1, ...Array.from(reference[i][k], Math.abs));
        const worst = ours[k].reduce((w, v, j) => Math.max(w, Math.abs(v - reference[i][k][j])), 0);
        expect(worst).toBeLessThan(1e-5 * scale);
      }
    },
  );

  it('leaves int32 products to the kernel it replaced, which rejects them as before', () => {
    expect(() => tf.matMul(tf.tensor2d([[1, 2]], [1, 2], 'int32'), tf.tensor2d([[3], [4]], [2, 1], 'int32'))).toThrow(
      /non-float32/,
    );
  });

  it('rejects mismatched inner dimensions, naming both shapes', () => {
    expect(() =>
      tf
        .engine()
        .runKernel(
          tf.BatchMatMul,
          { a: tf.zeros([2, 3]), b: tf.zeros([4, 5]) },
          { transposeA: false, transposeB: false },
        ),
    ).toThrow(/2,3 and 4,5/);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    productAndGradients(cases[4]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
