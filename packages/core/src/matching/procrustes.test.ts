import { Rng } from '../random/rng';
import { type DenseMatrix, maxAbsDiff, multiply, randomOrthogonal, transpose } from '../symmetry/dense-matrix';
import { solveSymmetricSylvester } from './procrustes';

function diagonal(values: number[]): DenseMatrix {
  const n = values.length;
  const data = new Float64Array(n * n);
  values.forEach((v, i) => (data[i * n + i] = v));
  return { n, data };
}

// The SVD and the polar factor are tested beside them, in @weightspace/assignment.
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
