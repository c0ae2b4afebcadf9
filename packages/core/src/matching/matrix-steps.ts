import * as tf from '@tensorflow/tfjs';
import type { HostReads } from '../params/host-reads';
import type { Params } from '../params/params';
import { type DenseMatrix, invert, multiply, transpose } from '../symmetry/dense-matrix';
import type { GroupElement, MatrixValue, PermutationValue } from '../symmetry/element';
import type { SymmetrySpec } from '../symmetry/spec';
import { unitSides } from './circuits';
import { polarDecomposition, polarFactor, solveSymmetricSylvester } from './procrustes';

/**
 * The coordinate-descent steps of weight matching for matrix groups, beside the assignment step
 * of permutation groups. Each returns the group's new value; the caller keeps it when it scores
 * better (top-level groups) or differs (per-unit maps).
 */

/** Σ M[i, j]·T[i, j]: the objective's share of a matrix value M given the cost T of its group. */
export function matrixScore(cost: ArrayLike<number>, m: DenseMatrix): number {
  let total = 0;
  for (let i = 0; i < m.data.length; i++) total += m.data[i] * cost[i];
  return total;
}

/**
 * An orthogonal group's best value given the others: with T[i, j] = <A's unit i, B's unit j>
 * (B's other axes moved), Σ_k <A_k, g(B)_k> = Σ M[i, j]·T[i, j] for M = g (acting as 'g'; an
 * orthogonal M⁻ᵀ is M), maximised over orthogonal M by the polar factor of T (Procrustes).
 * `start`: the basis the group's previous step returned (its problem changes little between
 * sweeps), which the decomposition starts from.
 */
export function orthogonalStep(
  cost: Float32Array,
  n: number,
  start?: DenseMatrix,
): { matrix: DenseMatrix; basis: DenseMatrix } {
  const { factor, basis } = polarDecomposition({ n, data: Float64Array.from(cost) }, start);
  return { matrix: factor, basis };
}

/** The permutation matrix of `perm` (new[i] = old[perm[i]]): M[i, perm[i]] = 1. */
export function permutationMatrix(perm: Int32Array): DenseMatrix {
  const n = perm.length;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + perm[i]] = 1;
  return { n, data };
}

/**
 * The per-unit maps of a matrix group batched over `outer` (the per-head maps of attention), given
 * the permutation of `outer`: B's unit π(h) is matched to A's unit h. With the unit sides of
 * `UnitSides` (g blocks moved by M, p blocks by M⁻ᵀ):
 * - orthogonal: M maximises <A_g, M·B_g> + <A_p, M·B_p>: the polar factor of A_g·B_gᵀ + A_p·B_pᵀ;
 * - invertible: of two candidates, the one leaving the smaller distance
 *   ‖M·B_g − A_g‖² + ‖M⁻ᵀ·B_p − A_p‖² (what interpolation sees): that orthogonal map, and the
 *   linear least-squares fit of M·B_g = A_g and A_pᵀ·M = B_pᵀ, whose normal equations are the
 *   Sylvester equation (A_p·A_pᵀ)·M + M·(B_g·B_gᵀ) = A_g·B_gᵀ + A_p·B_pᵀ. For B a moved copy of A
 *   the fit is exact, so the map that moved it is recovered; for independent models the
 *   orthogonal map usually leaves the smaller distance (an unconstrained fit of one side
 *   stretches the other).
 * Returns one map per unit of B in its stored order (the layout a batched value takes).
 */
export function* batchedMatrixStep(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  element: GroupElement,
  group: string,
): HostReads<MatrixValue[]> {
  const decl = spec.groups[group];
  const outer = decl.batchedOver as string;
  const k = decl.size;
  const perm = (element[outer] as PermutationValue).perm;
  const units = perm.length;
  const products = tf.tidy(() => {
    const sideA = unitSides(spec, a, undefined, group, outer);
    // B's sides in A's unit order: unit h holds B's unit perm[h].
    const order = tf.tensor1d(perm, 'int32');
    const moved = unitSides(spec, b, element, group, outer);
    const sideB = { g: tf.gather(moved.g, order), p: tf.gather(moved.p, order) };
    const gram = (x: tf.Tensor3D, y: tf.Tensor3D) => tf.matMul(x, y, false, true);
    return tf.stack([
      gram(sideA.g, sideB.g),
      gram(sideA.p, sideB.p),
      gram(sideA.p, sideA.p),
      gram(sideB.g, sideB.g),
      gram(sideB.p, sideB.p),
    ]);
  });
  let values: Float32Array;
  try {
    values = (yield products) as Float32Array;
  } finally {
    products.dispose();
  }
  const block = (which: number, h: number): DenseMatrix => {
    const offset = (which * units + h) * k * k;
    return { n: k, data: Float64Array.from(values.subarray(offset, offset + k * k)) };
  };
  const items = new Array<MatrixValue>(units);
  for (let h = 0; h < units; h++) {
    const [crossG, crossP, gramAP, gramBG, gramBP] = [0, 1, 2, 3, 4].map((w) => block(w, h));
    const orthogonal = polarFactor(sum(crossG, crossP));
    let matrix = orthogonal;
    if (decl.kind === 'invertible') {
      const fit = solveSymmetricSylvester(gramAP, gramBG, sum(crossG, crossP));
      const distance = (m: DenseMatrix) => {
        const inverseTranspose = invertOrUndefined(m);
        if (!inverseTranspose) return Infinity;
        return (
          quadratic(m, gramBG) -
          2 * dot(m, crossG) +
          quadratic(inverseTranspose, gramBP) -
          2 * dot(inverseTranspose, crossP)
        );
      };
      if (distance(fit) < distance(orthogonal)) matrix = fit;
    }
    items[perm[h]] = { kind: 'matrix', matrix };
  }
  return items;
}

function sum(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  return { n: a.n, data: a.data.map((v, i) => v + b.data[i]) };
}

function dot(a: DenseMatrix, b: DenseMatrix): number {
  return matrixScore(b.data, a);
}

/** tr(M·G·Mᵀ) for a Gram matrix G = X·Xᵀ: ‖M·X‖². */
function quadratic(m: DenseMatrix, gram: DenseMatrix): number {
  return dot(multiply(m, gram), m);
}

/** M⁻ᵀ, or undefined for a singular M. */
function invertOrUndefined(m: DenseMatrix): DenseMatrix | undefined {
  try {
    return transpose(invert(m));
  } catch {
    return undefined;
  }
}
