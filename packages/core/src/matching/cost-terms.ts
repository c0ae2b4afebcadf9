import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';
import type { GroupElement, GroupValue, PermutationValue } from '../symmetry/element';
import type { AxisSegment, SymmetrySpec } from '../symmetry/spec';
import { actionMatrix, applyMatrixAlongAxis, transformTensor } from '../symmetry/transform';

/**
 * The terms of weight matching's cost matrices, kept between the solves of a coordinate descent.
 *
 * The term of one (parameter, axis) matched by a group of size n is the n×n matrix
 * T[i, j] = <A's unit i, B's unit j>, with B's other axes carrying the current element. It changes
 * only when a group acting on another axis of that parameter changes, and late in a descent such a
 * change moves few units. So a term is
 * - reused while the values of the groups on its other axes are the same objects (the element
 *   replaces a value when it changes) or equal;
 * - updated in place when exactly one plain permutation on another axis changed on a set K of
 *   units: T += A_K · (B_π'(K) − B_π(K))ᵀ, a product of inner size |K|·rest instead of m·rest;
 * - recomputed otherwise, or when K is a large part of the axis.
 *
 * A recomputed term moves matrix actions (an orthogonal stream) onto both sides, since
 * <A, L·B> = <Lᵀ·A, B>: the last matrix axis of a parameter onto A (by the adjoint), the others
 * onto B, and keeps both moved copies while those values stay. The terms of one parameter then
 * share them: on an attention circuit [heads, d, d] with the stream on both d axes, the stream's
 * two terms and the heads' term need A moved along one axis and B along the other once per value
 * of the stream, not four moves.
 */
export class CostTerms {
  private readonly entries = new Map<string, { others: OtherAxis[]; term: tf.Tensor2D }>();
  private readonly movedCopies = new Map<string, { values: GroupValue[]; tensor: tf.Tensor }>();

  constructor(
    private readonly spec: SymmetrySpec,
    private readonly a: Params,
    private readonly b: Params,
    /** Largest fraction of an axis's units that may change for an in-place update. */
    private readonly updateFraction = 0.5,
  ) {}

  /**
   * The term of (param, axis) under `element`, owned by this cache (do not dispose it), and
   * whether it differs from the one returned last time.
   */
  term(
    group: string,
    param: string,
    axis: number,
    units: number,
    element: GroupElement,
    segment?: AxisSegment,
  ): { term: tf.Tensor2D; changed: boolean } {
    const key = `${group}:${param}/${axis}` + (segment ? `/${segment.index}of${segment.of}` : '');
    const others = otherAxes(this.spec, param, axis, element);
    const hit = this.entries.get(key);
    if (hit && sameValues(hit.others, others)) {
      hit.others = others;
      return { term: hit.term, changed: false };
    }
    // In-place updates gather whole units along another axis: kept to terms of a whole axis.
    const update = hit && !segment ? this.updateOf(hit.others, others, param, axis, units) : undefined;
    const term: tf.Tensor2D = tf.keep(
      update
        ? tf.tidy(() => tf.add(hit!.term, update()) as tf.Tensor2D)
        : tf.tidy(() => this.recomputed(param, axis, units, element, segment)),
    );
    hit?.term.dispose();
    this.entries.set(key, { others, term });
    return { term, changed: true };
  }

  /** Entries of parameter `param`. */
  size(param: string): number {
    return this.a[param].size;
  }

  /** Length of axis `axis` of parameter `param`. */
  axisLength(param: string, axis: number): number {
    return this.a[param].shape[axis];
  }

  dispose(): void {
    for (const { term } of this.entries.values()) term.dispose();
    for (const { tensor } of this.movedCopies.values()) tensor.dispose();
    this.entries.clear();
    this.movedCopies.clear();
  }

  /** A term computed from the parameters (inside a tidy), matrix actions split between A and B. */
  private recomputed(
    param: string,
    axis: number,
    units: number,
    element: GroupElement,
    segment: AxisSegment | undefined,
  ): tf.Tensor2D {
    const split = segment ? undefined : matrixSplit(this.spec, param, axis, element);
    if (!split) {
      const moved = transformTensor(this.b[param], param, this.spec.axes[param], this.spec, element, axis);
      return unitProducts(segmentOf(this.a[param], axis, segment), segmentOf(moved, axis, segment), axis, units);
    }
    const { ontoA, ontoB } = split;
    const a = ontoA === undefined ? this.a[param] : this.movedCopy('a', param, [ontoA], element);
    const b = ontoB.length ? this.movedCopy('b', param, ontoB, element) : this.b[param];
    // The permutations on the other axes: gathers on B, cheap enough to redo.
    const done = (ax: number) => ax === axis || ax === ontoA || ontoB.includes(ax);
    const moved = transformTensor(b, param, this.spec.axes[param], this.spec, element, done);
    return unitProducts(a, moved, axis, units);
  }

  /**
   * A parameter of A (by the adjoints) or B moved by the matrix values on `axes`, kept while those
   * values are the same objects (the descent replaces a value when it changes).
   */
  private movedCopy(side: 'a' | 'b', param: string, axes: readonly number[], element: GroupElement): tf.Tensor {
    const key = `${side}:${param}:${axes.join(',')}`;
    const actions = axes.map((ax) => this.spec.axes[param][ax]![0]);
    const values = actions.map((action) => element[action.group]);
    const hit = this.movedCopies.get(key);
    if (hit && hit.values.every((value, k) => value === values[k])) return hit.tensor;
    const tensor = tf.keep(
      side === 'b'
        ? transformTensor(this.b[param], param, this.spec.axes[param], this.spec, element, (ax) => !axes.includes(ax))
        : axes.reduce((x: tf.Tensor, ax, k) => {
            const value = values[k];
            if (value.kind !== 'matrix') throw new Error(`group '${actions[k].group}' has no matrix value`);
            const m = actionMatrix(this.spec.groups[actions[k].group], value, actions[k].as);
            return applyMatrixAlongAxis(x, ax, m, true);
          }, this.a[param]),
    );
    hit?.tensor.dispose();
    this.movedCopies.set(key, { values, tensor });
    return tensor;
  }

  /** The delta to add to a term when the plain permutation on its one other axis changed on few units, else undefined. */
  private updateOf(
    before: OtherAxis[],
    after: OtherAxis[],
    param: string,
    axis: number,
    units: number,
  ): (() => tf.Tensor2D) | undefined {
    // The delta gathers from the stored A and B: only right where no other axis is moved.
    if (before.length !== 1 || after.length !== 1) return undefined;
    const [old, now] = [before[0].value, after[0].value];
    if (
      old === now ||
      old.kind !== 'permutation' ||
      now.kind !== 'permutation' ||
      !after[0].plain ||
      old.perm.length !== now.perm.length
    )
      return undefined;
    const moved = changedUnits(old, now);
    if (moved.length > this.updateFraction * now.perm.length) return undefined;
    const other = after[0].axis;
    return () => {
      const at = (perm: Int32Array) =>
        tf.tensor1d(
          Int32Array.from(moved, (u) => perm[u]),
          'int32',
        );
      const movedA = tf.gather(this.a[param], tf.tensor1d(moved, 'int32'), other);
      const difference = tf.sub(
        tf.gather(this.b[param], at(now.perm), other),
        tf.gather(this.b[param], at(old.perm), other),
      );
      return unitProducts(movedA, difference, axis, units);
    };
  }
}

/** The segment of `axis` an action addresses (the whole tensor without one). */
export function segmentOf(x: tf.Tensor, axis: number, segment: AxisSegment | undefined): tf.Tensor {
  if (!segment) return x;
  const size = x.shape[axis] / segment.of;
  const begin = x.shape.map((_, k) => (k === axis ? segment.index * size : 0));
  const extent = x.shape.map((n, k) => (k === axis ? size : n));
  return tf.slice(x, begin, extent);
}

/**
 * How a recomputed term of (param, axis) splits the matrix actions on the other axes: the
 * parameter's last matrix axis onto A (unless it is `axis`), the rest onto B. Undefined where
 * there is no matrix action on another axis, or where the parameter has an action on a segment,
 * of a batched group or beside another on a matrix axis: there the term moves B alone.
 */
function matrixSplit(
  spec: SymmetrySpec,
  param: string,
  axis: number,
  element: GroupElement,
): { ontoA?: number; ontoB: number[] } | undefined {
  const axes = spec.axes[param];
  const matrixAxes: number[] = [];
  for (let ax = 0; ax < axes.length; ax++) {
    const actions = axes[ax] ?? [];
    if (actions.some((a) => a.segment !== undefined || spec.groups[a.group].batchedOver !== undefined))
      return undefined;
    if (!actions.some((a) => element[a.group]?.kind === 'matrix')) continue;
    if (actions.length !== 1) return undefined;
    matrixAxes.push(ax);
  }
  const others = matrixAxes.filter((ax) => ax !== axis);
  if (others.length === 0) return undefined;
  const last = matrixAxes[matrixAxes.length - 1];
  return last === axis ? { ontoB: others } : { ontoA: last, ontoB: others.filter((ax) => ax !== last) };
}

/** A group value acting on one of a parameter's axes other than the matched one. */
interface OtherAxis {
  axis: number;
  value: GroupValue;
  /** A permutation applied unit by unit (not by blocks, not batched), so a gather along `axis`. */
  plain: boolean;
}

function otherAxes(spec: SymmetrySpec, param: string, axis: number, element: GroupElement): OtherAxis[] {
  return spec.axes[param].flatMap((actions, ax) =>
    ax === axis
      ? []
      : (actions ?? []).map((act) => {
          const decl = spec.groups[act.group];
          const plain = decl.kind === 'permutation' && decl.batchedOver === undefined;
          return { axis: ax, value: element[act.group], plain };
        }),
  );
}

function sameValues(before: OtherAxis[], after: OtherAxis[]): boolean {
  return (
    before.length === after.length &&
    before.every((o, k) => {
      const v = after[k].value;
      if (o.value === v) return true;
      return (
        o.value.kind === 'permutation' &&
        v.kind === 'permutation' &&
        changedUnits(o.value, v).length === 0 &&
        o.value.perm.length === v.perm.length
      );
    })
  );
}

function changedUnits(old: PermutationValue, now: PermutationValue): Int32Array {
  const out: number[] = [];
  for (let u = 0; u < now.perm.length; u++) if (old.perm[u] !== now.perm[u]) out.push(u);
  return Int32Array.from(out);
}

/**
 * T[i, j] = <a's unit i, b's unit j> along `axis`: the product of their unit rows, through matMul's
 * transpose flags where a unit is one column of a matrix, else with the units moved to the front.
 */
function unitProducts(a: tf.Tensor, b: tf.Tensor, axis: number, units: number): tf.Tensor2D {
  // Units on the last axis: one product of the flattened rows, without moving the axis.
  if (a.rank > 1 && axis === a.rank - 1 && a.shape[axis] === units)
    return tf.matMul(a.reshape([-1, units]), b.reshape([-1, units]), true, false);
  // Units on a middle axis of a few slices (attention circuits [heads, d, d]): one product per
  // slice of the axes before, summed, instead of moving the axis to the front (two transposes).
  // Only while the per-slice products are no larger than the tensor itself.
  const before = a.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const after = a.size / (before * a.shape[axis]);
  if (axis > 0 && a.shape[axis] === units && units <= after) {
    const slices = (x: tf.Tensor) => x.reshape([before, units, after]) as tf.Tensor3D;
    return tf.sum(tf.matMul(slices(a), slices(b), false, true), 0);
  }
  return tf.matMul(unitsFirst(a, axis, units), unitsFirst(b, axis, units), false, true);
}

/** Moves `axis` to the front and flattens the rest: one row per unit (or block) of the group. */
export function unitsFirst(x: tf.Tensor, axis: number, units: number): tf.Tensor2D {
  if (x.rank === 1 || axis === 0) return x.reshape([units, -1]);
  const order = [axis, ...Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== axis)];
  return tf.transpose(x, order).reshape([units, -1]);
}
