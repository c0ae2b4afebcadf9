import { polarDecomposition, polarFactor, singularValueDecomposition } from './polar-decomposition';
import {
  diagonal,
  gaussian,
  identity,
  maxAbsDiff,
  multiply,
  orthogonalityError,
  randomOrthogonal,
  trace,
  transpose,
} from './testing/square-matrices';
import { TestRandom } from './testing/test-random';

describe('singular value decomposition and polar factor (orthogonal Procrustes)', () => {
  it('decomposes U·diag(s)·Vᵀ with known factors back into those singular values and the product', () => {
    const random = new TestRandom(3);
    const [u, v] = [randomOrthogonal(7, random), randomOrthogonal(7, random)];
    const s = [9, 5, 3, 2, 1, 0.5, 0.01];
    const m = multiply(multiply(u, diagonal(s)), transpose(v));
    const svd = singularValueDecomposition(m);
    expect(Array.from(svd.s).sort((a, b) => b - a)).toEqual(s.map((x) => expect.closeTo(x, 12)));
    expect(maxAbsDiff(multiply(multiply(svd.u, diagonal(Array.from(svd.s))), transpose(svd.v)), m)).toBeLessThan(1e-12);
    expect(orthogonalityError(svd.u)).toBeLessThan(1e-12);
    expect(orthogonalityError(svd.v)).toBeLessThan(1e-12);
  });

  it('finds the orthogonal factor Q of Q·S for S symmetric positive definite, at sizes with every SIMD tail', () => {
    for (const n of [5, 12, 33, 66]) {
      const random = new TestRandom(n);
      const [q, w] = [randomOrthogonal(n, random), randomOrthogonal(n, random)];
      const s = multiply(multiply(w, diagonal(Array.from({ length: n }, (_, i) => 1 + i))), transpose(w));
      expect(maxAbsDiff(polarFactor(multiply(q, s)), q)).toBeLessThan(1e-10);
    }
  });

  it('gives an orthogonal matrix for a singular input, and no orthogonal matrix scores a higher tr(QᵀM)', () => {
    const random = new TestRandom(8);
    const [u, v] = [randomOrthogonal(6, random), randomOrthogonal(6, random)];
    const m = multiply(multiply(u, diagonal([4, 2, 1, 0, 0, 0])), transpose(v));
    const q = polarFactor(m);
    expect(orthogonalityError(q)).toBeLessThan(1e-12);
    const best = trace(multiply(transpose(q), m));
    expect(best).toBeCloseTo(7, 10);
    for (let k = 0; k < 50; k++) expect(trace(multiply(transpose(randomOrthogonal(6, random)), m))).toBeLessThan(best);
  });

  it('started from the basis of a nearby matrix, finds the same factors in fewer sweeps', () => {
    const n = 24;
    const m = gaussian(n, new TestRandom(8));
    const nearby = { n, data: m.data.map((x, i) => x + 1e-3 * Math.sin(i)) };
    const cold = singularValueDecomposition(m);
    const { basis } = polarDecomposition(nearby);
    const warm = singularValueDecomposition(m, undefined, undefined, basis);
    expect(warm.sweeps).toBeLessThan(cold.sweeps);
    expect(maxAbsDiff(polarDecomposition(m, basis).factor, polarFactor(m))).toBeLessThan(1e-10);
    const product = multiply(multiply(warm.u, diagonal(Array.from(warm.s))), transpose(warm.v));
    expect(maxAbsDiff(product, m)).toBeLessThan(1e-10);
  });

  it('decomposes matrices of several sizes one after another (the shared workspace resized each time)', () => {
    for (const n of [40, 3, 40, 17]) {
      const m = gaussian(n, new TestRandom(n));
      const q = polarFactor(m);
      expect(orthogonalityError(q)).toBeLessThan(1e-12);
      // Q·(QᵀM) = M with QᵀM symmetric positive semi-definite: Q is M's polar factor.
      const p = multiply(transpose(q), m);
      expect(maxAbsDiff(p, transpose(p))).toBeLessThan(1e-10);
    }
  });

  it('handles the zero matrix and the identity', () => {
    expect(orthogonalityError(polarFactor({ n: 4, data: new Float64Array(16) }))).toBeLessThan(1e-15);
    expect(maxAbsDiff(polarFactor(identity(5)), identity(5))).toBe(0);
  });
});
