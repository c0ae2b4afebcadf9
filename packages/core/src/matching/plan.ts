import { disposeParams, innerProduct, type Params } from '../params/params';
import { compose, identity } from '../symmetry/algebra';
import type { SymmetrySpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import { WeightspaceError } from '../errors/errors';
import type { MatchContext, Matcher, MatchResult } from './matcher';

/** Which matcher aligns each group of a spec: group name → matcher id. */
export type MatchingPlan = Record<string, string>;

function supports(matcher: Matcher, spec: SymmetrySpec, group: string): boolean {
  const decl = spec.groups[group];
  return matcher.kinds.includes(decl.kind) && (matcher.batched || decl.batchedOver === undefined);
}

/**
 * A plan that gives every group to `preferred` where it can take it, else to the first matcher
 * (in registry order) that supports the group's kind. Throws naming a group no matcher handles.
 */
export function defaultPlan(spec: SymmetrySpec, matchers: readonly Matcher[], preferred?: string): MatchingPlan {
  const plan: MatchingPlan = {};
  const first = preferred ? matchers.find((m) => m.id === preferred) : undefined;
  if (preferred && !first)
    throw new WeightspaceError(`unknown matcher '${preferred}'; registered: ${matchers.map((m) => m.id).join(', ')}`);
  for (const group of Object.keys(spec.groups)) {
    const chosen = first && supports(first, spec, group) ? first : matchers.find((m) => supports(m, spec, group));
    if (!chosen)
      throw new WeightspaceError(`no registered matcher handles group '${group}' (${spec.groups[group].kind})`);
    plan[group] = chosen.id;
  }
  return plan;
}

/**
 * Runs a plan: each matcher, in the order its first group appears, matches its own groups of B
 * (already moved by the matchers before it) onto A; the elements are composed.
 */
export function runPlan(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  plan: MatchingPlan,
  matchers: readonly Matcher[],
  context: MatchContext,
): MatchResult & { plan: MatchingPlan } {
  const started = performance.now();
  const order = [...new Set(Object.values(plan))];
  let element = identity(spec);
  let current = b;
  let iterations = 0;
  // Each matcher reports the objective before and after its own step: the plan's are the first
  // matcher's before and the last one's after. B is moved only where another matcher follows.
  let objectiveBefore = NaN;
  let objectiveAfter = NaN;
  order.forEach((id, k) => {
    const matcher = matchers.find((m) => m.id === id);
    if (!matcher) throw new WeightspaceError(`the plan names matcher '${id}', which is not registered`);
    const groups = Object.keys(plan).filter((g) => plan[g] === id);
    const result = matcher.match(spec, a, current, { ...context, groups });
    element = compose(spec, element, result.element);
    iterations += result.iterations;
    if (k === 0) objectiveBefore = result.objectiveBefore;
    objectiveAfter = result.objectiveAfter;
    if (k < order.length - 1) {
      const next = transform(current, spec, result.element);
      if (current !== b) disposeParams(current);
      current = next;
    }
  });
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
