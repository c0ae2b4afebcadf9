import {
  cpuBackend,
  defaultPlan,
  disposeParams,
  inverse,
  maxAbsDifference,
  type PermutationValue,
  random,
  Rng,
  runPlan,
  transform,
  weightMatchingMatcher,
} from '@weightspace/core';
import { bruteForceExpertOrders, permutations } from './brute-force';
import { expertMatchingMatcher } from './expert-matching';
import { moeMlp } from './moe-mlp';
import { vitMoe } from './vit-moe';

beforeAll(() => cpuBackend.activate());

describe('brute force over expert orders', () => {
  it('lists every permutation once', () => {
    expect(permutations(3)).toEqual([
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ]);
    expect(new Set(permutations(4).map((p) => p.join())).size).toBe(24);
  });

  it('scores all n! orders; on a moved copy the matcher’s order is the best, rank 1, L̃ = 0', () => {
    const config = { input: 5, width: 4, experts: 4, expertWidth: 3, classes: 3, topK: 2 };
    const spec = moeMlp.symmetry(config);
    const a = moeMlp.init(config, 1);
    const g = random(spec, new Rng(6));
    const b = transform(a, spec, g);
    const matchers = [weightMatchingMatcher, expertMatchingMatcher];
    const chosen = runPlan(spec, a, b, defaultPlan(spec, matchers, 'moe'), matchers, { seed: 0 }).element;
    // A stand-in for the loss barrier that is 0 exactly when B is A again.
    const distance = (moved: typeof a) => maxAbsDifference(a, moved);
    const seen: number[] = [];
    const result = bruteForceExpertOrders(spec, a, b, chosen, distance, (done) => seen.push(done));
    expect(result.orders).toHaveLength(24);
    expect(seen.at(-1)).toBe(24);
    expect(result.chosen.order).toEqual(Array.from((inverse(spec, g)['moe.experts'] as PermutationValue).perm));
    expect(result.chosen.barrier).toBeLessThan(1e-6);
    expect(result.chosen.rank).toBe(1);
    expect(result.best).toBe(result.chosen.barrier);
    expect(result.relative).toBe(0);
    expect(result.naive).toBe(distance(b));
    // Every other order leaves B away from A.
    expect(result.orders[1].barrier).toBeGreaterThan(1e-3);
    [a, b].forEach(disposeParams);
  });

  it('refuses more experts than it can enumerate, naming the group', () => {
    const config = { input: 3, width: 2, experts: 6, expertWidth: 2, classes: 2 };
    const spec = moeMlp.symmetry(config);
    const a = moeMlp.init(config, 0);
    expect(() => bruteForceExpertOrders(spec, a, a, {}, () => 0)).toThrow(/at most 5 experts, 'moe\.experts' has 6/);
  });

  it('refuses a model with several MoE layers, naming them', () => {
    const config = vitMoe.examples[2];
    const a = vitMoe.init(config, 0);
    expect(() => bruteForceExpertOrders(vitMoe.symmetry(config), a, a, {}, () => 0)).toThrow(
      /one MoE layer; this model has 2 \(blocks\.0\.mlp\.experts, blocks\.1\.mlp\.experts\)/,
    );
    disposeParams(a);
  });
});
