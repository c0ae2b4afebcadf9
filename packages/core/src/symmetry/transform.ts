import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';
import { matrixInverse } from './algebra';
import { type DenseMatrix, transpose } from './dense-matrix';
import type { GroupElement, GroupValue, MatrixValue, PermutationValue } from './element';
import { type AxisAction, type AxisSegment, type GroupDeclaration, sameSegment, type SymmetrySpec } from './spec';
import { batchAxisOf } from './validate';
import { disposeStacked, stackedSpec, stackParams, unstackParams } from './families';

/**
 * The action of a group element on parameters: returns new tensors (the input is left as is).
 *
 * On an axis, a value acts as new = M·old along that axis, where M is g for `'g'` and g⁻ᵀ for
 * `'inverse'` and `'inverse-transpose'` (W ↦ Wg⁻¹ on an input axis is g⁻ᵀ applied along that
 * axis). A permutation value p is the matrix with M[i, p[i]] = 1, i.e. new[i] = old[p[i]], and
 * P⁻ᵀ = P, so every action of a permutation is the same gather.
 *
 * Batched groups act first, item k on unit k of the input layout; their batching group then
 * moves the units, carrying each item along.
 *
 * @param params the parameters to move (left as they are)
 * @param spec the symmetry spec that says how each group acts on each axis
 * @param element the group element to apply
 * @returns new parameters with the same names and shapes, which compute the same function
 * @example
 * ```ts
 * import { inverse, random, Rng, toyPerceptron, transform } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const params = toyPerceptron.init(config, 0);
 * const g = random(spec, new Rng(1));
 * const back = transform(transform(params, spec, g), spec, inverse(spec, g));
 * console.log(Object.keys(back)); // params again, up to rounding
 * ```
 */
export function transform(params: Params, spec: SymmetrySpec, element: GroupElement): Params {
  // Families of parameter names act through their stacked view (see `stackedSpec`).
  if (spec.families?.length) {
    const stacked = stackParams(spec, params);
    const moved = transform(stacked, stackedSpec(spec), element);
    disposeStacked(spec, stacked);
    const out = unstackParams(spec, moved);
    disposeStacked(spec, moved);
    return out;
  }
  const out: Params = {};
  for (const [name, tensor] of Object.entries(params)) {
    const axes = spec.axes[name];
    out[name] = axes === undefined ? tensor.clone() : tf.tidy(() => transformTensor(tensor, name, axes, spec, element));
  }
  return out;
}

/**
 * Transforms one tensor by the actions listed for its axes; `skip` (an axis, or a test of axes)
 * names the axes left untouched.
 */
export function transformTensor(
  tensor: tf.Tensor,
  param: string,
  axes: SymmetrySpec['axes'][string],
  spec: SymmetrySpec,
  element: GroupElement,
  skip: number | ((axis: number) => boolean) = -1,
): tf.Tensor {
  let x = tensor;
  const shape = tensor.shape;
  const skipped = typeof skip === 'number' ? (axis: number) => axis === skip : skip;
  axes.forEach((actions, axis) => {
    if (skipped(axis)) return;
    for (const action of actions ?? []) {
      const decl = groupOf(spec, action);
      if (decl.batchedOver === undefined) continue;
      const sameAxis = (actions ?? []).filter((other) => sameSegment(other, action));
      const value = valueOf(element, action.group);
      x = onSegment(x, axis, action.segment, (part) =>
        applyBatched(part, param, shape, axis, action, decl, value, spec, sameAxis),
      );
    }
  });
  axes.forEach((actions, axis) => {
    if (skipped(axis)) return;
    for (const action of actions ?? []) {
      const decl = groupOf(spec, action);
      if (decl.batchedOver !== undefined) continue;
      const value = valueOf(element, action.group);
      if (value.kind === 'batched') throw new Error(`group '${action.group}' is not batched but its value is`);
      x = onSegment(x, axis, action.segment, (part) => applyPlain(part, axis, decl, value, action.as));
    }
  });
  return x === tensor ? tensor.clone() : x;
}

/** `apply` on one segment of `axis` (the rest left as is), or on the whole axis without a segment. */
export function onSegment(
  x: tf.Tensor,
  axis: number,
  segment: AxisSegment | undefined,
  apply: (part: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  if (!segment) return apply(x);
  const parts = tf.split(x, segment.of, axis);
  parts[segment.index] = apply(parts[segment.index]);
  return tf.concat(parts, axis);
}

function applyPlain(
  x: tf.Tensor,
  axis: number,
  decl: GroupDeclaration,
  value: PermutationValue | MatrixValue,
  as: AxisAction['as'],
): tf.Tensor {
  if (value.kind === 'permutation') {
    const perm = tf.tensor1d(value.perm, 'int32');
    const k = decl.kind === 'block-permutation' ? decl.blockSize : 1;
    if (k > 1 && x.shape[axis] === decl.size * k) {
      const split = [...x.shape.slice(0, axis), decl.size, k, ...x.shape.slice(axis + 1)];
      return tf.gather(x.reshape(split), perm, axis).reshape(x.shape);
    }
    return tf.gather(x, perm, axis);
  }
  return applyMatrixAlongAxis(x, axis, actionMatrix(decl, value, as));
}

/** The matrix M a matrix value applies along an axis (new = M·old): g for `'g'`, else g⁻ᵀ. */
export function actionMatrix(decl: GroupDeclaration, value: MatrixValue, as: AxisAction['as']): DenseMatrix {
  // g⁻ᵀ of an orthogonal g is g itself: no inverse to form.
  return as === 'g' || decl.kind === 'orthogonal' ? value.matrix : transpose(matrixInverse(decl, value.matrix));
}

/**
 * new[..., i, ...] = Σ_j M[i, j] · old[..., j, ...] along `axis`; with `transposed`, Mᵀ in place
 * of M (the adjoint), through the products' transpose flags.
 */
export function applyMatrixAlongAxis(x: tf.Tensor, axis: number, m: DenseMatrix, transposed = false): tf.Tensor {
  const n = m.n;
  const matrix = tf.tensor2d(new Float32Array(m.data), [n, n]);
  if (axis === 0 || axis === x.rank - 1) return matMulAlongAxis(x, axis, matrix, transposed);
  // A middle axis: M times each [n, after] slice, M broadcast over the axes before (no transposes;
  // not differentiable in M, whose gradient would keep the broadcast axis: see matMulAlongAxis).
  const before = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const slices = x.reshape([before, n, -1]);
  return tf.matMul(matrix.reshape([1, n, n]), slices, transposed).reshape(x.shape);
}

/**
 * `applyMatrixAlongAxis` with M as a tensor (differentiable in M, for maps that are learned);
 * with `transposed`, Mᵀ in place of M on the first and last axes (by the products' flags).
 */
export function matMulAlongAxis(x: tf.Tensor, axis: number, m: tf.Tensor2D, transposed = false): tf.Tensor {
  const rank = x.rank;
  const [rows, cols] = transposed ? [m.shape[1], m.shape[0]] : m.shape;
  // The first and last axes need no transposes: M·X on the rows, X·Mᵀ on the columns.
  if (axis === 0) return tf.matMul(m, x.reshape([cols, -1]), transposed).reshape([rows, ...x.shape.slice(1)]);
  if (axis === rank - 1)
    return tf.matMul(x.reshape([-1, cols]), m, false, !transposed).reshape([...x.shape.slice(0, -1), rows]);
  if (transposed) throw new Error('matMulAlongAxis: transposed is for the first and last axes');
  const order = [axis, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis)];
  const moved = rank === 1 ? x : tf.transpose(x, order);
  const mixed = tf.matMul(m, moved.reshape([m.shape[0], -1])).reshape(moved.shape);
  if (rank === 1) return mixed;
  const back = new Array<number>(rank);
  order.forEach((from, to) => (back[from] = to));
  return tf.transpose(mixed, back);
}

function applyBatched(
  x: tf.Tensor,
  param: string,
  originalShape: readonly number[],
  axis: number,
  action: AxisAction,
  decl: GroupDeclaration,
  value: GroupValue,
  spec: SymmetrySpec,
  sameAxis: readonly AxisAction[],
): tf.Tensor {
  if (value.kind !== 'batched') throw new Error(`group '${action.group}' is batched but its value is not`);
  const outer = decl.batchedOver as string;
  const units = spec.groups[outer].size;
  const sharesAxis = sameAxis.some((a) => a.group === outer);
  let work = x;
  let batchAxis: number;
  let innerAxis: number;
  if (sharesAxis) {
    work = x.reshape([...x.shape.slice(0, axis), units, decl.size, ...x.shape.slice(axis + 1)]);
    batchAxis = axis;
    innerAxis = axis + 1;
  } else {
    const found = batchAxisOf(spec, param, originalShape, outer);
    if (found === undefined)
      throw new Error(`parameter '${param}': no axis carries '${outer}' for batched group '${action.group}'`);
    batchAxis = found;
    innerAxis = axis;
  }
  const sliceAxis = innerAxis > batchAxis ? innerAxis - 1 : innerAxis;
  const slices = tf.unstack(work, batchAxis).map((slice, k) => {
    const item = value.items[k];
    return applyPlain(slice, sliceAxis, { ...decl, batchedOver: undefined }, item, action.as);
  });
  const stacked = tf.stack(slices, batchAxis);
  return sharesAxis ? stacked.reshape(x.shape) : stacked;
}

function groupOf(spec: SymmetrySpec, action: AxisAction): GroupDeclaration {
  const decl = spec.groups[action.group];
  if (decl === undefined) throw new Error(`group '${action.group}' is not declared`);
  return decl;
}

function valueOf(element: GroupElement, group: string): GroupValue {
  const value = element[group];
  if (value === undefined) throw new Error(`element has no value for group '${group}'`);
  return value;
}
