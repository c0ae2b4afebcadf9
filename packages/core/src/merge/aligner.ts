import type { Matcher, MatchContext } from '../matching/matcher';
import { defaultPlan, runPlan } from '../matching/plan';
import type { Params } from '../params/params';
import type { GroupElement } from '../symmetry/element';
import type { SymmetrySpec } from '../symmetry/spec';

/**
 * Finds the element that maps `moving` onto `target` (transform(moving, spec, g) ≈ target),
 * starting the search from `init` where given.
 */
export type Aligner = (target: Params, moving: Params, seed: number, init?: GroupElement) => GroupElement;

/** An aligner from the registered matchers: `method` where it applies, the defaults elsewhere. */
export function planAligner(
  spec: SymmetrySpec,
  matchers: readonly Matcher[],
  method: string,
  context: Omit<MatchContext, 'seed'> = {},
): Aligner {
  const plan = defaultPlan(spec, matchers, method);
  return (target, moving, seed, init) =>
    runPlan(spec, target, moving, plan, matchers, { ...context, seed, init }).element;
}
