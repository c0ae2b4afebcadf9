import { Rng } from '@weightspace/core';
import { layerNormKernels } from './layer-norm-kernels';

/** LayerNorm and its gradient in float64, row by row, as the kernels define them. */
function reference(x: number[], gamma: number[], beta: number[], dy: number[], d: number, epsilon: number) {
  const rows = x.length / d;
  const y: number[] = [];
  const dx: number[] = [];
  const dGamma = new Array<number>(d).fill(0);
  const dBeta = new Array<number>(d).fill(0);
  for (let r = 0; r < rows; r++) {
    const row = x.slice(r * d, (r + 1) * d);
    const mean = row.reduce((a, b) => a + b, 0) / d;
    const rstd = 1 / Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / d + epsilon);
    const normalised = row.map((v) => (v - mean) * rstd);
    const g = normalised.map((_, j) => dy[r * d + j] * gamma[j]);
    const gMean = g.reduce((a, b) => a + b, 0) / d;
    const gxMean = g.reduce((a, b, j) => a + b * normalised[j], 0) / d;
    normalised.forEach((n, j) => {
      y.push(n * gamma[j] + beta[j]);
      dx.push(rstd * (g[j] - gMean - n * gxMean));
      dGamma[j] += dy[r * d + j] * n;
      dBeta[j] += dy[r * d + j];
    });
  }
  return { y, dx, dGamma, dBeta };
}

describe('LayerNorm kernels', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const kernels = layerNormKernels(memory);
  const f32 = new Float32Array(memory.buffer);

  // Widths below one vector, a whole number of vectors, and vectors plus a tail.
  it.each([3, 8, 13])('match float64 for rows of %i features (values, dx, dγ, dβ)', (d) => {
    const rows = 5;
    const rng = new Rng(d);
    const x = Array.from(rng.normalArray(rows * d), (v, i) => 3 * v + (i % 4));
    const gamma = Array.from(rng.normalArray(d));
    const beta = Array.from(rng.normalArray(d));
    const dy = Array.from(rng.normalArray(rows * d));
    const epsilon = 1e-5;
    // Arrays laid out one after another in floats from an odd offset (not 16-byte aligned), each
    // followed by a guard float; outputs start as garbage.
    const GUARD = 77;
    const guards: number[] = [];
    let next = 1;
    const place = (values: number[] | number) => {
      const at = next;
      const count = typeof values === 'number' ? values : values.length;
      if (typeof values === 'number') f32.fill(99, at, at + count);
      else f32.set(values, at);
      f32[at + count] = GUARD;
      guards.push(at + count);
      next += count + 1;
      return at;
    };
    const [xAt, gAt, bAt, dyAt] = [place(x), place(gamma), place(beta), place(dy)];
    const [yAt, meanAt, rstdAt, dxAt, dgAt, dbAt] = [rows * d, rows, rows, rows * d, d, d].map(place);
    kernels.layerNorm(4 * xAt, 4 * gAt, 4 * bAt, 4 * yAt, 4 * meanAt, 4 * rstdAt, rows, d, epsilon);
    kernels.layerNormGrad(4 * xAt, 4 * gAt, 4 * dyAt, 4 * meanAt, 4 * rstdAt, 4 * dxAt, 4 * dgAt, 4 * dbAt, rows, d);
    const expected = reference(x, gamma, beta, dy, d, epsilon);
    const read = (at: number, count: number) => Array.from(f32.subarray(at, at + count));
    const worst = (ours: number[], theirs: number[]) => Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])));
    expect(worst(read(yAt, rows * d), expected.y)).toBeLessThan(1e-5);
    expect(worst(read(dxAt, rows * d), expected.dx)).toBeLessThan(1e-5);
    expect(worst(read(dgAt, d), expected.dGamma)).toBeLessThan(1e-5);
    expect(worst(read(dbAt, d), expected.dBeta)).toBeLessThan(1e-5);
    // Nothing written past any array.
    expect(guards.map((at) => f32[at])).toEqual(guards.map(() => GUARD));
  });
});
