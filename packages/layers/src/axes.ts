import type { AxisAction, AxisActions } from '@weightspace/core';

/** A group's name, or null where no group acts (the network's input and output units). */
export type Group = string | null;

/** The symmetry-spec entries of one building block: parameter name → actions per axis. */
export type LayerAxes = Record<string, AxisActions>;

/** The actions on an axis that `group` writes (the output side: W ↦ gW). */
export function writes(group: Group): readonly AxisAction[] | null {
  return group ? [{ group, as: 'g' }] : null;
}

/** The actions on an axis that `group` is read from (the input side: W ↦ Wg⁻¹). */
export function reads(group: Group): readonly AxisAction[] | null {
  return group ? [{ group, as: 'inverse' }] : null;
}
