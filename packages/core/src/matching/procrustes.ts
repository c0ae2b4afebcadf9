import { singularValueDecomposition } from '@weightspace/assignment';
import { type DenseMatrix, multiply, transpose } from '../symmetry/dense-matrix';

// The SVD and the polar factor (orthogonal Procrustes) are solved in @weightspace/assignment beside
// linear assignment: weight matching's subproblems for orthogonal and permutation groups.
export {
  polarDecomposition,
  polarFactor,
  type SingularValueDecomposition,
  singularValueDecomposition,
} from '@weightspace/assignment';

/**
 * The least-squares M of M·Q + P·M = R for symmetric positive semi-definite P and Q (a Sylvester
 * equation), through the eigenvectors of both: in those bases it is elementwise division by
 * λᵢ + μⱼ. Directions where λᵢ + μⱼ vanishes get 0 (the minimum-norm solution).
 */
export function solveSymmetricSylvester(p: DenseMatrix, q: DenseMatrix, r: DenseMatrix): DenseMatrix {
  const n = p.n;
  const ep = singularValueDecomposition(p);
  const eq = singularValueDecomposition(q);
  const inBases = multiply3(transpose(ep.u), r, eq.u);
  const largest = Math.max(...ep.s, ...eq.s);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const denominator = ep.s[i] + eq.s[j];
      inBases.data[i * n + j] = denominator > 1e-12 * largest ? inBases.data[i * n + j] / denominator : 0;
    }
  }
  return multiply3(ep.u, inBases, transpose(eq.u));
}

function multiply3(a: DenseMatrix, b: DenseMatrix, c: DenseMatrix): DenseMatrix {
  return multiply(multiply(a, b), c);
}
