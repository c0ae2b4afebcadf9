import {
  disposeParams,
  disposeStacked,
  type GroupElement,
  identity,
  type Params,
  stackedSpec,
  stackParams,
  type SymmetrySpec,
  transform,
  WeightspaceError,
} from '@weightspace/core';
import { expertElement, expertGroups, hiddenOrders, pairHiddenOrders } from './expert-matching';

/** Experts beyond this make n! orders too many to try. */
export const BRUTE_FORCE_MAX_EXPERTS = 5;

/** Every expert order's barrier, and where the chosen one ranks (Tran et al.'s Table 2). */
export interface BruteForceResult {
  group: string;
  /** Every order (`order[i]`: B's expert placed at A's slot i) with its barrier, best first. */
  orders: Array<{ order: number[]; barrier: number }>;
  chosen: { order: number[]; barrier: number; rank: number };
  /** The barrier of B as trained (no alignment at all). */
  naive: number;
  best: number;
  /** L̃ = 100·(L_chosen − L_best)/(L_naive − L_best): 0 for the best order, 100 for no better than naive. */
  relative: number;
}

/** Every permutation of 0..n−1, in lexicographic order. */
export function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1)
    .flatMap((p) => Array.from({ length: n }, (_, at) => [...p.slice(0, at), n - 1, ...p.slice(at)]))
    .sort((x, y) => x.join().localeCompare(y.join(), undefined, { numeric: true }));
}

/**
 * The barrier of every expert order of the spec's expert group, each with its own stage-2 hidden
 * orders (each expert pair matched as the chosen order's are), the other groups as `chosen` has
 * them; the chosen order's rank among them (1 = best; ties rank alike) and L̃. `barrier(b)` is the
 * loss barrier of A against a B. For one MoE layer of at most `BRUTE_FORCE_MAX_EXPERTS` experts.
 */
export function bruteForceExpertOrders(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  chosen: GroupElement,
  barrier: (b: Params) => number,
  progress?: (done: number, total: number) => void,
): BruteForceResult {
  const view = stackedSpec(spec);
  // The routed experts (those with a gate); shared experts stay as chosen.
  const groups = expertGroups(view).filter((e) => e.tensors.gate.length > 0);
  const [experts] = groups;
  if (!experts) throw new WeightspaceError('brute force over expert orders needs a spec with a gated expert group');
  // Orders of several MoE layers multiply (n!^L); the paper scores one layer's.
  if (groups.length > 1)
    throw new WeightspaceError(
      `brute force scores the expert orders of one MoE layer; this model has ${groups.length} (${groups.map((g) => g.group).join(', ')}): place MoE layers in one block`,
    );
  const n = spec.groups[experts.group].size;
  if (n > BRUTE_FORCE_MAX_EXPERTS)
    throw new WeightspaceError(
      `brute force tries all ${n}! expert orders: at most ${BRUTE_FORCE_MAX_EXPERTS} experts, '${experts.group}' has ${n}`,
    );
  const units = spec.groups[experts.hidden[0]].size;
  // B with every group but the experts' moved as chosen; each order then adds its own.
  const rest = { ...chosen };
  const unmoved = identity(spec);
  for (const group of [experts.group, ...experts.hidden]) rest[group] = unmoved[group];
  const movedB = transform(b, spec, rest);
  const [stackedA, stackedB] = [stackParams(spec, a), stackParams(spec, movedB)];
  const all = permutations(n);
  const pairOrder = pairHiddenOrders(stackedA, stackedB, experts.tensors, units);
  const orders = all.map((order, k) => {
    const perm = Int32Array.from(order);
    const element = expertElement(spec, experts, perm, hiddenOrders(perm, units, pairOrder));
    const aligned = transform(movedB, spec, element);
    const result = { order, barrier: barrier(aligned) };
    disposeParams(aligned);
    progress?.(k + 1, all.length);
    return result;
  });
  disposeStacked(spec, stackedA);
  disposeStacked(spec, stackedB);
  disposeParams(movedB);
  const chosenOrder = Array.from((chosen[experts.group] as { perm: Int32Array }).perm);
  const chosenBarrier = orders.find((o) => o.order.join() === chosenOrder.join())!.barrier;
  const naive = barrier(b);
  const best = Math.min(...orders.map((o) => o.barrier));
  return {
    group: experts.group,
    orders: [...orders].sort((x, y) => x.barrier - y.barrier),
    chosen: {
      order: chosenOrder,
      barrier: chosenBarrier,
      rank: 1 + orders.filter((o) => o.barrier < chosenBarrier).length,
    },
    naive,
    best,
    relative: naive > best ? (100 * (chosenBarrier - best)) / (naive - best) : 0,
  };
}
