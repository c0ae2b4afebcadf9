import {
  disposeParams,
  type GroupElement,
  identity,
  innerProduct,
  type Matcher,
  matcherOption,
  type MatchContext,
  type MatchResult,
  type Params,
  solveAssignment,
  type SymmetrySpec,
  transform,
} from '@weightspace/core';
import { type ExpertTensors, gateCost, gramCost, hiddenSimilarity } from './expert-costs';

/**
 * The expert groups of a spec (in its stacked view: experts on axis 0 of every expert tensor):
 * plain permutation groups that a permutation group is batched over, with the tensors of each.
 * The gate of expert group `P.experts` is `P.gate.*`, as the MoE layers of this package name it;
 * other such groups (shared experts) have no gate.
 */
export function expertGroups(spec: SymmetrySpec): Array<{ group: string; hidden: string[]; tensors: ExpertTensors }> {
  return Object.entries(spec.groups).flatMap(([group, decl]) => {
    if (decl.kind !== 'permutation' || decl.batchedOver !== undefined) return [];
    const hidden = Object.entries(spec.groups)
      .filter(([, inner]) => inner.batchedOver === group && inner.kind === 'permutation')
      .map(([name]) => name);
    if (!hidden.length) return [];
    const prefix = group.endsWith('.experts') ? group.slice(0, -'.experts'.length) : undefined;
    const tensors: ExpertTensors = { gate: [], hidden: [], rest: [] };
    for (const [param, axes] of Object.entries(spec.axes)) {
      if (!(axes[0] ?? []).some((a) => a.group === group)) continue;
      if (prefix !== undefined && param.startsWith(`${prefix}.gate.`)) {
        tensors.gate.push(param);
        continue;
      }
      const axis = axes.findIndex((actions) => (actions ?? []).some((a) => hidden.includes(a.group)));
      if (axis < 0) tensors.rest.push(param);
      else {
        const action = (axes[axis] ?? []).find((a) => hidden.includes(a.group));
        tensors.hidden.push({ param, axis, side: action?.as === 'g' ? 'output' : 'input' });
      }
    }
    return [{ group, hidden, tensors }];
  });
}

/** Whether `group` is an expert group or a group batched over one. */
function isExpertGroup(spec: SymmetrySpec, group: string): boolean {
  return expertGroups(spec).some((e) => e.group === group || e.hidden.includes(group));
}

/**
 * The expert order and each expert's hidden order, as an element: `order[i]` is B's expert put at
 * A's slot i, `hidden[j]` the order of B's expert j's hidden units (it moves with its expert).
 */
export function expertElement(
  spec: SymmetrySpec,
  groups: { group: string; hidden: string[] },
  order: Int32Array,
  hidden: Int32Array[],
): GroupElement {
  const element = identity(spec);
  element[groups.group] = { kind: 'permutation', perm: order };
  for (const name of groups.hidden)
    element[name] = { kind: 'batched', items: hidden.map((perm) => ({ kind: 'permutation', perm })) };
  return element;
}

/**
 * Stage 2 for one pair: A's expert i and B's expert j have their hidden units matched by one
 * assignment on `hiddenSimilarity`; returns the order of B's expert j's units. The pair's answer
 * does not depend on the other experts, so each pair is solved once however many expert orders
 * ask for it (brute force asks for each pair (n − 1)! times).
 */
export function pairHiddenOrders(
  a: Params,
  b: Params,
  tensors: ExpertTensors,
  units: number,
): (i: number, j: number) => Int32Array {
  const solved = new Map<string, Int32Array>();
  return (i, j) => {
    const key = `${i}/${j}`;
    let order = solved.get(key);
    if (!order) {
      const similarity = hiddenSimilarity(a, b, tensors, i, j);
      order = Int32Array.from(solveAssignment(similarity, units, units, { maximize: true }).colForRow);
      solved.set(key, order);
    }
    return order;
  };
}

/**
 * Stage 2 for a given expert order: the hidden order of each of B's experts, from its pair with
 * the A expert the order puts it beside (`pairOrder`, see `pairHiddenOrders`); the identity for
 * every expert where `pairOrder` is absent (stage 2 skipped).
 */
export function hiddenOrders(
  order: Int32Array,
  units: number,
  pairOrder?: (i: number, j: number) => Int32Array,
): Int32Array[] {
  const orders: Int32Array[] = Array.from({ length: order.length }, () =>
    Int32Array.from({ length: units }, (_, u) => u),
  );
  if (pairOrder) order.forEach((j, i) => (orders[j] = pairOrder(i, j)));
  return orders;
}

/**
 * Tran et al.'s two-stage, data-free matching of Mixture-of-Experts layers (Algorithm 1): stage 1
 * finds the expert order by one assignment over either the centred gate rows (`expertCost=gate`)
 * or each expert's hidden-order-invariant Gram matrices (`gram`); stage 2 matches the hidden units
 * of each expert pair by weight matching. Shared experts, which have no gate, are ordered by the
 * Gram cost whichever is asked. `stages=experts` or `hidden` runs one stage only (the
 * paper's ablations). It takes expert groups and the groups batched over them; a matching plan gives
 * the rest of the network to the other matchers, which run before it (groups declared first), and
 * the plan alternates between them and this one until a pass changes nothing (at most 10).
 */
export const expertMatchingMatcher: Matcher = {
  id: 'moe',
  description:
    "Tran et al.'s two-stage expert matching: the expert order by assignment (gate rows or Gram matrices), then each expert pair's hidden units",
  paper: 'Tran, Trinh, Bui & Nguyen 2025, On Linear Mode Connectivity of Mixture-of-Experts Architectures',
  kinds: ['permutation'],
  batched: true,
  handles: isExpertGroup,
  // The expert costs read the units the experts share with the rest of the network, which the
  // other matchers of the plan align: alternate with them until nothing moves.
  rounds: 10,
  options: {
    expertCost: {
      values: ['gate', 'gram'],
      default: 'gate',
      description: 'stage 1 cost: the centred gate rows, or the Gram matrices of each expert',
    },
    stages: {
      values: ['both', 'experts', 'hidden'],
      default: 'both',
      description: 'both stages, the expert order only, or the hidden units only (experts kept in place)',
    },
  },
  match(spec: SymmetrySpec, a: Params, b: Params, context: MatchContext): MatchResult {
    const started = performance.now();
    const cost = matcherOption(expertMatchingMatcher, context, 'expertCost');
    const stages = matcherOption(expertMatchingMatcher, context, 'stages');
    const wanted = new Set(context.groups ?? Object.keys(spec.groups));
    let element = identity(spec);
    for (const experts of expertGroups(spec)) {
      // A plan may give the expert order to another matcher: then only the hidden units are matched here.
      const orderWanted = wanted.has(experts.group);
      const hiddenWanted = experts.hidden.some((g) => wanted.has(g));
      if (!orderWanted && !hiddenWanted) continue;
      const n = spec.groups[experts.group].size;
      const units = spec.groups[experts.hidden[0]].size;
      // Experts without a gate (shared ones) are ordered by what they compute: the Gram cost.
      const stageOneCost = cost === 'gram' || !experts.tensors.gate.length ? gramCost : gateCost;
      const order =
        stages === 'hidden' || !orderWanted
          ? Int32Array.from({ length: n }, (_, i) => i)
          : Int32Array.from(solveAssignment(stageOneCost(a, b, experts.tensors, n), n, n).colForRow);
      const skipHidden = stages === 'experts' || !hiddenWanted;
      const hidden = hiddenOrders(
        order,
        units,
        skipHidden ? undefined : pairHiddenOrders(a, b, experts.tensors, units),
      );
      const found = expertElement(spec, experts, order, hidden);
      for (const group of [experts.group, ...experts.hidden]) if (wanted.has(group)) element[group] = found[group];
    }
    const moved = transform(b, spec, element);
    const result = {
      element,
      objectiveBefore: innerProduct(a, b),
      objectiveAfter: innerProduct(a, moved),
      iterations: 1,
      seconds: (performance.now() - started) / 1000,
    };
    disposeParams(moved);
    return result;
  },
};
