import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors/errors';
import type { Params } from '../params/params';
import type { AxisAction, GroupDeclaration, SymmetrySpec } from './spec';

/**
 * Embedding a narrower network into a wider one of the same architecture: every group of the
 * narrow spec of size m becomes the same group of size n ≥ m in the wide spec, and the narrow
 * parameters are carried over by the rectangular map E = [I_m; 0] on each group, so the new units
 * are zero (nothing flows into or out of them):
 * - on the output side (`'g'`) an axis is padded with zeros, new = E·old;
 * - on the input and key sides (`'inverse'`, `'inverse-transpose'`) E's pseudo-inverse acts, and
 *   (E⁺)ᵀ = E pads with zeros too.
 * An orthogonal group is the symmetry of an axis normalised by its root mean square (an RMSNorm
 * stream), whose mean runs over n entries after the embedding and over m before: it is embedded
 * as s·E with s = √(n/m) on the output side and E/s on the input side, which keeps every RMS, and
 * so the norm's ε and every norm output, as they were (Theus et al. 2025 instead keep the stream's
 * scale and compensate the readers by √(n/m) and ε by m/n; with ε unchanged the embedded model has
 * the wide model's config and the two interpolate as they are).
 *
 * Groups batched over another keep their size (one map per head of the same head width): only
 * their batching group grows, and its new units carry zero parameters.
 *
 * The embedding is exact only where the architecture's function is: the zero units must add
 * nothing (true of dense and attention layers, BatchNorm channels, GELU/ReLU units) and no norm
 * may average over a permutation group's axis (LayerNorm over a stream; rewrite it in canonical
 * form first). Callers check the function (see `embedModelInWider`).
 *
 * @param params the narrow model's parameters (left as they are)
 * @param narrow the narrow model's spec
 * @param wide the wide model's spec: the same groups and parameters, each group at least as large
 * @returns parameters shaped for the wide model
 */
export function embedInWiderSpec(params: Params, narrow: SymmetrySpec, wide: SymmetrySpec): Params {
  assertCovers(wide, narrow);
  const out: Params = {};
  for (const [name, tensor] of Object.entries(params)) {
    const axes = narrow.axes[name];
    out[name] = tf.tidy(() => {
      let x = tensor;
      (axes ?? []).forEach((actions, axis) => {
        const plain = (actions ?? []).filter((a) => narrow.groups[a.group].batchedOver === undefined);
        if (plain.length > 0) x = embedAxis(x, name, axis, plain, narrow, wide);
      });
      return x === tensor ? tensor.clone() : x;
    });
  }
  return out;
}

/**
 * Throws a ConfigError naming the group unless `wide` has every group of `narrow`, of the same
 * kind, batching and block size, at least as large (a batched group exactly as large).
 */
export function assertCovers(wide: SymmetrySpec, narrow: SymmetrySpec): void {
  const names = (spec: SymmetrySpec) => Object.keys(spec.groups).sort().join(', ');
  if (names(wide) !== names(narrow))
    throw new ConfigError(`the two models declare different groups: [${names(narrow)}] and [${names(wide)}]`);
  for (const [group, small] of Object.entries(narrow.groups)) {
    const large = wide.groups[group];
    if (large.kind !== small.kind || large.batchedOver !== small.batchedOver)
      throw new ConfigError(`group '${group}' differs in kind or batching between the two models`);
    if (large.kind === 'block-permutation' && small.kind === 'block-permutation' && large.blockSize !== small.blockSize)
      throw new ConfigError(
        `group '${group}' has blocks of ${small.blockSize} units in one model and ${large.blockSize} in the other: only the number of blocks may differ`,
      );
    if (large.size < small.size)
      throw new ConfigError(
        `group '${group}' has ${small.size} units in the narrower model but ${large.size} in the wider`,
      );
    if (small.batchedOver !== undefined && large.size !== small.size)
      throw new ConfigError(
        `group '${group}' is batched over '${small.batchedOver}' and has ${small.size} units in one model and ${large.size} in the other: only its batching group can grow`,
      );
  }
}

/** Whether `wide` covers `narrow` (see `assertCovers`). */
export function covers(wide: SymmetrySpec, narrow: SymmetrySpec): boolean {
  try {
    assertCovers(wide, narrow);
    return true;
  } catch (e) {
    if (e instanceof ConfigError) return false;
    throw e;
  }
}

/** Applies each action's embedding to its segment of `axis` (the whole axis without segments). */
function embedAxis(
  x: tf.Tensor,
  param: string,
  axis: number,
  actions: readonly AxisAction[],
  narrow: SymmetrySpec,
  wide: SymmetrySpec,
): tf.Tensor {
  const of = actions[0].segment?.of ?? 1;
  if (actions.some((a) => (a.segment?.of ?? 1) !== of))
    throw new ConfigError(`parameter '${param}', axis ${axis}: actions split the axis in different ways`);
  const parts = of > 1 ? tf.split(x, of, axis) : [x];
  for (const action of actions) {
    const k = action.segment?.index ?? 0;
    parts[k] = embedAlong(parts[k], axis, action, narrow.groups[action.group], wide.groups[action.group]);
  }
  return of > 1 ? tf.concat(parts, axis) : parts[0];
}

/** One group's embedding along `axis`: each of its m units (entries or blocks of entries) kept, n − m zero units after them. */
function embedAlong(
  x: tf.Tensor,
  axis: number,
  action: AxisAction,
  small: GroupDeclaration,
  large: GroupDeclaration,
): tf.Tensor {
  const length = x.shape[axis];
  const perUnit = length / small.size;
  const shape = [...x.shape.slice(0, axis), small.size, perUnit, ...x.shape.slice(axis + 1)];
  const padding = shape.map((_, i) => [0, i === axis ? large.size - small.size : 0] as [number, number]);
  const padded = tf.pad(x.reshape(shape), padding);
  const embedded = padded.reshape([...x.shape.slice(0, axis), large.size * perUnit, ...x.shape.slice(axis + 1)]);
  if (small.kind !== 'orthogonal' || large.size === small.size) return embedded;
  const scale = Math.sqrt(large.size / small.size);
  return tf.mul(embedded, action.as === 'g' ? scale : 1 / scale);
}
