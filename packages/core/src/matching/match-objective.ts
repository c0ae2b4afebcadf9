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
