/**
 * A network's parameter symmetry, declared as data. The generic algebra, the matchers and the
 * conformance suite read only this: no architecture ships symmetry code of its own.
 */

/** Every kind of group a spec can declare: the one list the type, validation and matchers follow. */
export const GROUP_KINDS = ['permutation', 'block-permutation', 'orthogonal', 'invertible'] as const;

/**
 * The kinds of symmetry group a spec can declare: permutation, block permutation, orthogonal,
 * invertible.
 */
export type GroupKind = (typeof GROUP_KINDS)[number];

interface GroupBase {
  /** permutation: number of units; block-permutation: number of blocks; matrix groups: n of n×n. */
  size: number;
  /**
   * Name of a permutation or block-permutation group this one is batched over: the element holds
   * one value of this group per unit of the batching group, and each value moves with its unit
   * (hidden units of each expert, batched over the experts).
   */
  batchedOver?: string;
}

/** Permutations of `size` units (hidden units, channels). */
export interface PermutationGroup extends GroupBase {
  kind: 'permutation';
}

/** Permutations of `size` blocks of `blockSize` units each (attention heads). */
export interface BlockPermutationGroup extends GroupBase {
  kind: 'block-permutation';
  /** Units per block: an axis it acts on has size·blockSize entries (or size, one per block). */
  blockSize: number;
}

/** Orthogonal `size`×`size` matrices (a residual stream under RMSNorm). */
export interface OrthogonalGroup extends GroupBase {
  kind: 'orthogonal';
}

/** Invertible `size`×`size` matrices (maps with nothing nonlinear in between). */
export interface InvertibleGroup extends GroupBase {
  kind: 'invertible';
}

/** A group a spec declares, discriminated by its kind. */
export type GroupDeclaration = PermutationGroup | BlockPermutationGroup | OrthogonalGroup | InvertibleGroup;

/** For exhaustive switches over group kinds: a kind left unhandled is a type error here. */
export function unhandledKind(declaration: never): never {
  throw new Error(`unhandled group kind in ${JSON.stringify(declaration)}`);
}

/**
 * How a group acts on one tensor axis. With g the group element as a matrix acting on that axis:
 * `'g'` maps the output side (W ↦ gW), `'inverse'` the input side (W ↦ Wg⁻¹) and
 * `'inverse-transpose'` the key side of a bilinear form (W_K ↦ g⁻ᵀW_K). For permutations all three
 * are the same index map.
 */
export interface AxisAction {
  group: string;
  as: 'g' | 'inverse' | 'inverse-transpose';
  /**
   * Acts on one of `of` equal consecutive segments of the axis only (q, k and v stacked in one
   * fused projection: `{ index: 1, of: 3 }` is k's rows). The whole axis when omitted.
   */
  segment?: AxisSegment;
}

/** Segment `index` of `of` equal consecutive segments of an axis. */
export interface AxisSegment {
  index: number;
  of: number;
}

/** Whether two actions address the same part of an axis (the same segment, or both the whole axis). */
export function sameSegment(a: AxisAction, b: AxisAction): boolean {
  return a.segment?.index === b.segment?.index && a.segment?.of === b.segment?.of;
}

/** The number of entries an action addresses on an axis of `size` entries. */
export function segmentSize(action: AxisAction, size: number): number {
  return action.segment ? size / action.segment.of : size;
}

/** Per tensor axis: `null` (no group acts) or the actions applied to it, in order. */
export type AxisActions = ReadonlyArray<ReadonlyArray<AxisAction> | null>;

/**
 * A permutation group acting on a family of parameter names rather than on an axis: the experts of
 * a Mixture-of-Experts layer saved one tensor family per expert (`experts.{k}.fc1.weight`, …).
 * Member k of each template is the template with `{k}` replaced by k, for k < the group's size;
 * under a permutation p, member k of the moved model is member p[k] of the model (with the actions
 * its axes list applied). Every member of a template has the same shape and the same axis actions;
 * a group batched over the family's group acts on member k with its item k.
 */
export interface ParamFamily {
  group: string;
  /** Parameter name templates, each with one `{k}`. */
  names: readonly string[];
}

/**
 * A network's parameter symmetry as data: named groups, for every parameter the actions of those
 * groups on each of its axes, and the groups that permute families of parameter names.
 */
export interface SymmetrySpec {
  groups: Record<string, GroupDeclaration>;
  /** Every parameter of the network, one entry per tensor axis. */
  axes: Record<string, AxisActions>;
  /** Groups that permute families of parameters by name (see `ParamFamily`). */
  families?: readonly ParamFamily[];
}

/** The (parameter, axis) pairs each group touches: Git Re-Basin's `perm_to_axes`. */
export function axesOfGroup(
  spec: SymmetrySpec,
  group: string,
): Array<{ param: string; axis: number; action: AxisAction }> {
  const out: Array<{ param: string; axis: number; action: AxisAction }> = [];
  for (const [param, axes] of Object.entries(spec.axes)) {
    axes.forEach((actions, axis) => {
      for (const action of actions ?? []) if (action.group === group) out.push({ param, axis, action });
    });
  }
  return out;
}

/** Groups that are not batched over another group, in declaration order. */
export function topLevelGroups(spec: SymmetrySpec): string[] {
  return Object.entries(spec.groups)
    .filter(([, g]) => g.batchedOver === undefined)
    .map(([name]) => name);
}

/** Groups batched over `outer`. */
export function groupsBatchedOver(spec: SymmetrySpec, outer: string): string[] {
  return Object.entries(spec.groups)
    .filter(([, g]) => g.batchedOver === outer)
    .map(([name]) => name);
}

/** A copy of `spec` that keeps only the listed groups (the others act as the identity). */
export function restrictSpec(spec: SymmetrySpec, keep: readonly string[]): SymmetrySpec {
  const keepSet = new Set(keep);
  const groups: Record<string, GroupDeclaration> = {};
  for (const name of keep) groups[name] = spec.groups[name];
  const axes: Record<string, AxisActions> = {};
  for (const [param, perAxis] of Object.entries(spec.axes)) {
    axes[param] = perAxis.map((actions) => {
      const kept = (actions ?? []).filter((a) => keepSet.has(a.group));
      return kept.length ? kept : null;
    });
  }
  const families = spec.families?.filter((f) => keepSet.has(f.group));
  return families?.length ? { groups, axes, families } : { groups, axes };
}

/**
 * Whether a group kind acts by permutations (plain or of blocks), which the assignment-based
 * matchers handle.
 */
export function isPermutationKind(kind: GroupKind): kind is 'permutation' | 'block-permutation' {
  switch (kind) {
    case 'permutation':
    case 'block-permutation':
      return true;
    case 'orthogonal':
    case 'invertible':
      return false;
    default:
      return unhandledKind(kind);
  }
}
