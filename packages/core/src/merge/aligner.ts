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

/**
 * An aligner from the registered matchers: `method` where it applies, the defaults elsewhere.
 *
 * @param spec the symmetry spec of the models
 * @param matchers the registered matchers
 * @param method the matcher to use wherever it applies
 * @param context iteration bound, progress, data for data-driven matchers
 * @returns a function that aligns a moving model to a target and returns the element
 * @example
 * ```ts
 * import { planAligner, toyPerceptron, transform, weightMatchingMatcher } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const align = planAligner(spec, [weightMatchingMatcher], 'weight');
 * const [a, b] = [0, 1].map((seed) => toyPerceptron.init(config, seed));
 * console.log(Object.keys(transform(b, spec, align(a, b, 0))));
 * ```
 */
export function planAligner(
  spec: SymmetrySpec,
  matchers: readonly Matcher[],
  method: string,
  context: Omit<MatchContext, 'seed'> = {},
): Aligner {
  const plan = defaultPlan(spec, matchers, method, context.data?.plugin.featureGraph?.(context.data.config));
  return (target, moving, seed, init) =>
    runPlan(spec, target, moving, plan, matchers, { ...context, seed, init }).element;
}
