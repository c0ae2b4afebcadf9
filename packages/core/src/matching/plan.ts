import { disposeParams, innerProduct, type Params } from '../params/params';
import { compose, elementsEqual, identity } from '../symmetry/algebra';
import type { SymmetrySpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import type * as tf from '@tensorflow/tfjs';
import { disposeStacked, stackedSpec, stackParams, unstackParams } from '../symmetry/families';
import { WeightspaceError } from '../errors/errors';
import type { ApplyOptions, FeatureGraph } from '../plugin/architecture';
import type { MatchContext, Matcher, MatchResult } from './matcher';

/** Which matcher aligns each group of a spec: group name → matcher id. */
export type MatchingPlan = Record<string, string>;

/** Whether `matcher` can match `group` of `spec`: its kind, batching, and the matcher's own test. */
export function supports(matcher: Matcher, spec: SymmetrySpec, group: string, features?: FeatureGraph): boolean {
  const decl = spec.groups[group];
  return (
    matcher.kinds.includes(decl.kind) &&
    (matcher.batched || decl.batchedOver === undefined) &&
    (matcher.handles?.(spec, group, features) ?? true)
  );
}

/**
 * A plan that gives every group to `preferred` where it can take it, else to the first matcher
 * (in registry order) that supports the group's kind. Throws naming a group no matcher handles.
 *
 * @param spec the symmetry spec
 * @param matchers the registered matchers, in order of preference
 * @param preferred the id of the matcher to use wherever it applies
 * @param features the architecture's feature graph, for matchers that take only groups with taps
 * @returns the matcher id for every group of the spec
 * @example
 * ```ts
 * import { defaultPlan, toyPerceptron, weightMatchingMatcher } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * console.log(defaultPlan(toyPerceptron.symmetry(config), [weightMatchingMatcher], 'weight')); // { 'hidden.0': 'weight', … }
 * ```
 */
export function defaultPlan(
  spec: SymmetrySpec,
  matchers: readonly Matcher[],
  preferred?: string,
  features?: FeatureGraph,
): MatchingPlan {
  const plan: MatchingPlan = {};
  const first = preferred ? matchers.find((m) => m.id === preferred) : undefined;
  if (preferred && !first)
    throw new WeightspaceError(`unknown matcher '${preferred}'; registered: ${matchers.map((m) => m.id).join(', ')}`);
  // Matchers see families of parameters in their stacked view, as `runMatcher` gives it them.
  const view = stackedSpec(spec);
  for (const group of Object.keys(spec.groups)) {
    const takes = (m: Matcher) => supports(m, view, group, features);
    const chosen = first && takes(first) ? first : matchers.find(takes);
    if (!chosen)
      throw new WeightspaceError(`no registered matcher handles group '${group}' (${spec.groups[group].kind})`);
    plan[group] = chosen.id;
  }
  return plan;
}

/**
 * The context of a matcher that sees the stacked view of `spec`: a matcher that runs the model
 * (`context.data`) hands it parameters in that view, and the model reads its own names.
 */
function stackedContext(spec: SymmetrySpec, context: MatchContext): MatchContext {
  const { data } = context;
  if (!data) return context;
  const apply = (config: unknown, params: Params, x: tf.Tensor, options?: ApplyOptions) =>
    data.plugin.apply(config, unstackParams(spec, params), x, options);
  return { ...context, data: { ...data, plugin: { ...data.plugin, apply } } };
}

/**
 * Runs one matcher on B against A. A spec with families of parameter names is matched in its
 * stacked view (see `stackedSpec`), where every generic matcher reads it; the element is the same.
 */
export function runMatcher(
  matcher: Matcher,
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  context: MatchContext,
): MatchResult {
  if (!spec.families?.length) return matcher.match(spec, a, b, context);
  const [stackedA, stackedB] = [stackParams(spec, a), stackParams(spec, b)];
  try {
    return matcher.match(stackedSpec(spec), stackedA, stackedB, stackedContext(spec, context));
  } finally {
    disposeStacked(spec, stackedA);
    disposeStacked(spec, stackedB);
  }
}

/**
 * Runs a plan: each matcher, in the order its first group appears, matches its own groups of B
 * (already moved by the matchers before it) onto A; the elements are composed. Where a matcher of
 * a plan with several asks for `rounds`, the whole sequence repeats (coordinate descent between
 * the stages) until a pass changes nothing or the rounds are spent.
 *
 * @param spec the symmetry spec of both models
 * @param a the reference model
 * @param b the model to move onto A
 * @param plan which matcher takes each group (see `defaultPlan`)
 * @param matchers the registered matchers
 * @param context seed, iteration bound, progress, and training data for data-driven matchers
 * @returns the composed element mapping B onto A, with the objective and the plan it ran
 * @example
 * ```ts
 * import { defaultPlan, runPlan, toyPerceptron, weightMatchingMatcher } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const [a, b] = [0, 1].map((seed) => toyPerceptron.init(config, seed));
 * const matchers = [weightMatchingMatcher];
 * const result = runPlan(spec, a, b, defaultPlan(spec, matchers, 'weight'), matchers, { seed: 0 });
 * console.log(result.plan, result.objectiveAfter);
 * ```
 */
export function runPlan(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  plan: MatchingPlan,
  matchers: readonly Matcher[],
  context: MatchContext,
): MatchResult & { plan: MatchingPlan } {
  // A spec with families is matched in its stacked view throughout: A and B are stacked once, not
  // at every step, and the element found is the same.
  if (spec.families?.length) {
    const [stackedA, stackedB] = [stackParams(spec, a), stackParams(spec, b)];
    try {
      return runPlan(stackedSpec(spec), stackedA, stackedB, plan, matchers, stackedContext(spec, context));
    } finally {
      disposeStacked(spec, stackedA);
      disposeStacked(spec, stackedB);
    }
  }
  const started = performance.now();
  const order = [...new Set(Object.values(plan))].map((id) => {
    const matcher = matchers.find((m) => m.id === id);
    if (!matcher) throw new WeightspaceError(`the plan names matcher '${id}', which is not registered`);
    return matcher;
  });
  // Passes over the whole plan: more than one where a matcher asks for them (stages that depend on
  // each other's result), stopping after a pass that changes nothing.
  const rounds = order.length > 1 ? Math.max(1, ...order.map((m) => m.rounds ?? 1)) : 1;
  const unmoved = identity(spec);
  let element = unmoved;
  let current = b;
  let iterations = 0;
  // Each matcher reports the objective before and after its own step: the plan's are the first
  // matcher's before and the last one's after. B is moved only where another step follows.
  let objectiveBefore = NaN;
  let objectiveAfter = NaN;
  for (let round = 0; round < rounds; round++) {
    let changed = false;
    order.forEach((matcher, k) => {
      const groups = Object.keys(plan).filter((g) => plan[g] === matcher.id);
      const result = matcher.match(spec, a, current, { ...context, groups });
      changed ||= !elementsEqual(result.element, unmoved, 0);
      element = compose(spec, element, result.element);
      iterations += result.iterations;
      if (round === 0 && k === 0) objectiveBefore = result.objectiveBefore;
      objectiveAfter = result.objectiveAfter;
      if (k < order.length - 1 || round < rounds - 1) {
        const next = transform(current, spec, result.element);
        if (current !== b) disposeParams(current);
        current = next;
      }
    });
    if (!changed) break;
  }
  if (current !== b) disposeParams(current);
  if (order.length === 0) objectiveBefore = objectiveAfter = innerProduct(a, b);
  return {
    plan,
    element,
    objectiveBefore,
    objectiveAfter,
    iterations,
    seconds: (performance.now() - started) / 1000,
  };
}
