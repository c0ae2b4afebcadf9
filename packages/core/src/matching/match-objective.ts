import { type HostReads, readSynchronously } from '../params/host-reads';
import { disposeParams, innerProductReads, type Params } from '../params/params';
import type { GroupElement } from '../symmetry/element';
import type { SymmetrySpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import type { MatchContext } from './matcher';

/** The groups a matcher is asked to match: `context.groups` (those the spec has), else all of the spec's. */
export function groupsToMatch(spec: SymmetrySpec, context: MatchContext): string[] {
  return (context.groups ?? Object.keys(spec.groups)).filter((g) => spec.groups[g] !== undefined);
}

/**
 * The spec and the two parameter sets a weight objective sees: without `leaveOut` (parameters not
 * in the spec are ignored). The groups are the spec's, so an element found on the view moves the
 * whole networks (`transform` with the full spec).
 */
export function objectiveView(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  leaveOut: readonly string[],
): { spec: SymmetrySpec; a: Params; b: Params } {
  const dropped = new Set(leaveOut.filter((name) => spec.axes[name] !== undefined));
  if (dropped.size === 0) return { spec, a, b };
  const keep = (name: string) => !dropped.has(name);
  const pick = (params: Params): Params => Object.fromEntries(Object.entries(params).filter(([name]) => keep(name)));
  const axes = Object.fromEntries(Object.entries(spec.axes).filter(([name]) => keep(name)));
  return { spec: { ...spec, axes }, a: pick(a), b: pick(b) };
}

/** The matching objective Σ_k <A_k, g(B)_k> once B is moved by `element`. */
export function objectiveAt(spec: SymmetrySpec, a: Params, b: Params, element: GroupElement): number {
  return readSynchronously(objectiveReads(spec, a, b, element));
}

/** `objectiveAt` as host reads (see HostReads). */
export function* objectiveReads(spec: SymmetrySpec, a: Params, b: Params, element: GroupElement): HostReads<number> {
  const aligned = transform(b, spec, element);
  try {
    return yield* innerProductReads(a, aligned);
  } finally {
    disposeParams(aligned);
  }
}
