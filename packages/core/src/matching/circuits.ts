import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';
import type { GroupElement } from '../symmetry/element';
import { type AxisAction, axesOfGroup, isPermutationKind, sameSegment, type SymmetrySpec } from '../symmetry/spec';
import { transformTensor } from '../symmetry/transform';
import { segmentOf, unitsFirst } from './cost-terms';

/**
 * Matrix groups (orthogonal or invertible) batched over `outer` that share its axes: the maps
 * inside each unit of `outer`, such as the per-head maps of a query/key product. Their units
 * are better matched by what those maps leave unchanged (see `circuitSimilarity`).
 */
export function batchedMatrixGroups(spec: SymmetrySpec, outer: string): string[] {
  return Object.entries(spec.groups)
    .filter(([, decl]) => decl.batchedOver === outer && !isPermutationKind(decl.kind))
    .map(([name]) => name);
}

/**
 * Similarity of A's unit i to B's unit j of a block permutation `outer` (attention heads) by
 * their circuits: S[i, j] = −Σ_G ‖C_i^A − C_j^B‖_F over the matrix groups G batched over `outer`.
 *
 * A circuit of G is what G's maps leave unchanged: with X the tensors G acts on as 'g' and Y
 * those it acts on as 'inverse' or 'inverse-transpose', each cut to one unit's block and laid out
 * with G's axis first ([k, rest], several tensors side by side), C = Xᵀ·Y. A map M sends X to M·X
 * and Y to M⁻ᵀ·Y, so C is unchanged. For attention heads that is each head's augmented QK circuit
 * (q weight and bias against k weight and bias) and its OV circuit (value against output
 * projection). B's other axes carry `element`; the matched axis carries nothing, so the result
 * does not depend on the current per-unit maps.
 */
export function circuitSimilarity(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  element: GroupElement,
  outer: string,
): tf.Tensor2D {
  const units = spec.groups[outer].size;
  return tf.tidy(() => {
    const distances = batchedMatrixGroups(spec, outer).map((group) => {
      const circuits = (sides: UnitSides): tf.Tensor2D => tf.matMul(sides.g, sides.p, true, false).reshape([units, -1]);
      return pairwiseDistances(
        circuits(unitSides(spec, a, undefined, group, outer)),
        circuits(unitSides(spec, b, element, group, outer)),
      );
    });
    if (distances.length === 0) throw new Error(`group '${outer}' has no matrix groups batched over it`);
    return tf.neg(tf.addN(distances)) as tf.Tensor2D;
  });
}

/**
 * The tensors a group batched over `outer` acts on, one block per unit of `outer` with the
 * group's axis first: `g` those it acts on as 'g' (side by side: [units, k, rest]), `p` those it
 * acts on as 'inverse' or 'inverse-transpose'. A map M of one unit sends its g block to M·g and
 * its p block to M⁻ᵀ·p.
 */
export interface UnitSides {
  g: tf.Tensor3D;
  p: tf.Tensor3D;
}

/**
 * The `UnitSides` of `group` in `params`, in the units' stored order; with `element`, every axis
 * but the group's own first carries it (the matched model B, moved by the other groups).
 */
export function unitSides(
  spec: SymmetrySpec,
  params: Params,
  element: GroupElement | undefined,
  group: string,
  outer: string,
): UnitSides {
  const units = spec.groups[outer].size;
  const k = spec.groups[group].size;
  const side = (pick: (action: AxisAction) => boolean): tf.Tensor3D => {
    const blocks = axesOfGroup(spec, group)
      .filter(({ action }) => pick(action))
      .map(({ param, axis, action }) => {
        const tensor = element
          ? transformTensor(params[param], param, spec.axes[param], spec, element, axis)
          : params[param];
        return unitBlocks(segmentOf(tensor, axis, action.segment), axis, units, k);
      });
    if (blocks.length === 0) throw new Error(`group '${group}' needs actions both as 'g' and as an inverse`);
    return tf.concat(blocks, 2);
  };
  return { g: side((action) => action.as === 'g'), p: side((action) => action.as !== 'g') };
}

/** The tensor with `axis` first, cut into `units` blocks of `k` entries: [units, k, rest]. */
function unitBlocks(x: tf.Tensor, axis: number, units: number, k: number): tf.Tensor3D {
  return unitsFirst(x, axis, units).reshape([units, k, -1]);
}

/** D[i, j] = ‖a_i − b_j‖ for the rows of a and b. */
function pairwiseDistances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const squared = tf.sub(
    tf.add(tf.sum(tf.square(a), 1, true), tf.sum(tf.square(b), 1).reshape([1, -1])),
    tf.mul(2, tf.matMul(a, b, false, true)),
  );
  return tf.sqrt(tf.relu(squared)) as tf.Tensor2D;
}

/** Whether every action of `group` on a parameter's axis shares that axis (and segment) with `outer`. */
export function sharesAxesWith(spec: SymmetrySpec, group: string, outer: string): boolean {
  return axesOfGroup(spec, group).every(({ param, axis, action }) =>
    (spec.axes[param][axis] ?? []).some((other) => other.group === outer && sameSegment(other, action)),
  );
}
