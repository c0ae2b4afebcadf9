import type { DenseMatrix } from './dense-matrix';

/** A permutation (or a permutation of blocks): unit i of the result is unit `perm[i]` of the input. */
export interface PermutationValue {
  readonly kind: 'permutation';
  readonly perm: Int32Array;
}

/** An element of a matrix group (orthogonal or invertible), acting on an axis as new = M·old. */
export interface MatrixValue {
  readonly kind: 'matrix';
  readonly matrix: DenseMatrix;
}

/**
 * A group batched over a permutation group: `items[k]` acts on unit k of the batching group as the
 * input is laid out; the batching group's permutation then moves each unit with its item.
 */
export interface BatchedValue {
  readonly kind: 'batched';
  readonly items: ReadonlyArray<PermutationValue | MatrixValue>;
}

/**
 * One group's element: a permutation, a matrix, or one value per unit of the group it is batched
 * over.
 */
export type GroupValue = PermutationValue | MatrixValue | BatchedValue;

/** A group element of a whole spec: one value per declared group. */
export type GroupElement = Record<string, GroupValue>;

/** The JSON form of an element: permutations as integer arrays, matrices as nested rows. */
export type GroupValueJson = number[] | number[][] | { batched: Array<number[] | number[][]> };

/** One group's element as plain JSON. */
export function valueToJson(value: GroupValue): GroupValueJson {
  if (value.kind === 'permutation') return Array.from(value.perm);
  if (value.kind === 'matrix') return matrixRows(value.matrix);
  return {
    batched: value.items.map((item) => (item.kind === 'permutation' ? Array.from(item.perm) : matrixRows(item.matrix))),
  };
}

/** A group element as plain JSON: permutations as integer arrays, matrices as rows. */
export function elementToJson(element: GroupElement): Record<string, GroupValueJson> {
  const out: Record<string, GroupValueJson> = {};
  for (const [name, value] of Object.entries(element)) out[name] = valueToJson(value);
  return out;
}

function matrixRows(m: DenseMatrix): number[][] {
  return Array.from({ length: m.n }, (_, i) => Array.from(m.data.subarray(i * m.n, (i + 1) * m.n)));
}
