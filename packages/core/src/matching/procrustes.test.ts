import { Rng } from '../random/rng';
import {
  type DenseMatrix,
  identityMatrix,
  maxAbsDiff,
  multiply,
  randomOrthogonal,
  transpose,
} from '../symmetry/dense-matrix';
import { polarDecomposition, polarFactor, singularValueDecomposition, solveSymmetricSylvester } from './procrustes';

function diagonal(values: number[]): DenseMatrix {
  const n = values.length;
  const data = new Float64Array(n * n);
  values.forEach((v, i) => (data[i * n + i] = v));
  return { n, data };
}

function trace(m: DenseMatrix): number {
  let total = 0;
  for (let i = 0; i < m.n; i++) total += m.data[i * m.n + i];
  return total;
}

const orthogonalityError = (q: DenseMatrix) => maxAbsDiff(multiply(transpose(q), q), identityMatrix(q.n));

describe('singular value decomposition and polar factor', () => {
  it('decomposes U·diag(s)·Vᵀ with known factors back into those singular values and the product', () => {
    const rng = new Rng(3);
    const u = randomOrthogonal(7, rng.fork('u'));
    const v = randomOrthogonal(7, rng.fork('v'));
    const s = [9, 5, 3, 2, 1, 0.5, 0.01];
    const m = multiply(multiply(u, diagonal(s)), transpose(v));
    const svd = singularValueDecomposition(m);
    expect(Array.from(svd.s).sort((a, b) => b - a)).toEqual(s.map((x) => expect.closeTo(x, 12)));
    expect(maxAbsDiff(multiply(multiply(svd.u, diagonal(Array.from(svd.s))), transpose(svd.v)), m)).toBeLessThan(1e-12);
    expect(orthogonalityError(svd.u)).toBeLessThan(1e-12);
    expect(orthogonalityError(svd.v)).toBeLessThan(1e-12);
  });

  it('finds the orthogonal factor Q of Q·S for S symmetric positive definite', () => {
    const rng = new Rng(5);
    const q = randomOrthogonal(12, rng.fork('q'));
    const w = randomOrthogonal(12, rng.fork('w'));
    const s = multiply(multiply(w, diagonal(Array.from({ length: 12 }, (_, i) => 1 + i))), transpose(w));
    expect(maxAbsDiff(polarFactor(multiply(q, s)), q)).toBeLessThan(1e-10);
  });

  it('gives an orthogonal matrix for a singular input, and no orthogonal matrix scores a higher tr(QᵀM)', () => {
    const rng = new Rng(8);
    const u = randomOrthogonal(6, rng.fork('u'));
    const v = randomOrthogonal(6, rng.fork('v'));
    const m = multiply(multiply(u, diagonal([4, 2, 1, 0, 0, 0])), transpose(v));
    const q = polarFactor(m);
    expect(orthogonalityError(q)).toBeLessThan(1e-12);
    const best = trace(multiply(transpose(q), m));
    expect(best).toBeCloseTo(7, 10);
    for (let k = 0; k < 50; k++) {
      const other = randomOrthogonal(6, rng.fork(`other ${k}`));
      expect(trace(multiply(transpose(other), m))).toBeLessThan(best);
    }
  });

  it('started from the basis of a nearby matrix, finds the same polar factor in fewer sweeps', () => {
    const rng = new Rng(8);
    const n = 24;
    const m = { n, data: Float64Array.from(rng.normalArray(n * n)) };
    const nearby = { n, data: m.data.map((x, i) => x + 1e-3 * Math.sin(i)) };
    const cold = singularValueDecomposition(m);
    const { basis } = polarDecomposition(nearby);
    const warm = singularValueDecomposition(m, undefined, undefined, basis);
    expect(warm.sweeps).toBeLessThan(cold.sweeps);
    expect(maxAbsDiff(polarDecomposition(m, basis).factor, polarFactor(m))).toBeLessThan(1e-10);
    const product = multiply(multiply(warm.u, diagonal(Array.from(warm.s))), transpose(warm.v));
    expect(maxAbsDiff(product, m)).toBeLessThan(1e-10);
  });

  it('handles the zero matrix and the identity', () => {
    expect(orthogonalityError(polarFactor({ n: 4, data: new Float64Array(16) }))).toBeLessThan(1e-15);
    expect(maxAbsDiff(polarFactor(identityMatrix(5)), identityMatrix(5))).toBe(0);
  });
});

describe('symmetric Sylvester equation', () => {
  it('recovers M from P·M + M·Q for positive definite P and Q', () => {
    const rng = new Rng(11);
    const n = 5;
    const spd = (label: string) => {
      const w = randomOrthogonal(n, rng.fork(label));
      return multiply(multiply(w, diagonal([0.5, 1, 2, 3, 4])), transpose(w));
    };
    const [p, q] = [spd('p'), spd('q')];
    const m: DenseMatrix = { n, data: Float64Array.from(rng.normalArray(n * n)) };
    const r = multiply(p, m);
    const mq = multiply(m, q);
    for (let i = 0; i < n * n; i++) r.data[i] += mq.data[i];
    expect(maxAbsDiff(solveSymmetricSylvester(p, q, r), m)).toBeLessThan(1e-10);
  });
});
