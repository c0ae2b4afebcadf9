import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors/errors';
import { innerProduct, type Params } from '../params/params';
import { identity } from '../symmetry/algebra';
import type { GroupElement } from '../symmetry/element';
import type { SymmetrySpec } from '../symmetry/spec';
import { solveAssignment } from '@weightspace/assignment';
import { matchBatches, requireData } from './match-data';
import type { MatchContext, Matcher, MatchResult } from './matcher';
import { groupsToMatch, objectiveAt } from './match-objective';

/** Running sums for the cross-correlation of A's and B's channels at one tap. */
class CrossMoments {
  n = 0;
  readonly sumA: Float64Array;
  readonly sumB: Float64Array;
  readonly sqA: Float64Array;
  readonly sqB: Float64Array;
  readonly cross: Float64Array;

  constructor(readonly units: number) {
    this.sumA = new Float64Array(units);
    this.sumB = new Float64Array(units);
    this.sqA = new Float64Array(units);
    this.sqB = new Float64Array(units);
    this.cross = new Float64Array(units * units);
  }

  add(fa: tf.Tensor, fb: tf.Tensor): void {
    const [sa, sb, qa, qb, ab, n] = tf.tidy(() => {
      const a = fa.reshape([-1, this.units]);
      const b = fb.reshape([-1, this.units]);
      return [
        tf.sum(a, 0),
        tf.sum(b, 0),
        tf.sum(tf.square(a), 0),
        tf.sum(tf.square(b), 0),
        tf.matMul(a, b, true, false),
        a.shape[0],
      ] as const;
    });
    for (const [into, t] of [
      [this.sumA, sa],
      [this.sumB, sb],
      [this.sqA, qa],
      [this.sqB, qb],
      [this.cross, ab],
    ] as const) {
      const values = t.dataSync();
      for (let i = 0; i < values.length; i++) into[i] += values[i];
      t.dispose();
    }
    this.n += n;
  }

  /** Pearson correlation of A's unit i with B's unit j, with REPAIR's 1e-4 in the denominator. */
  addCorrelationTo(total: Float64Array): void {
    const k = this.units;
    const mean = (s: Float64Array, i: number) => s[i] / this.n;
    const std = (s: Float64Array, q: Float64Array, i: number) =>
      Math.sqrt(Math.max(0, q[i] / this.n - mean(s, i) ** 2));
    for (let i = 0; i < k; i++) {
      const [ma, sa] = [mean(this.sumA, i), std(this.sumA, this.sqA, i)];
      for (let j = 0; j < k; j++) {
        const covariance = this.cross[i * k + j] / this.n - ma * mean(this.sumB, j);
        total[i * k + j] += covariance / (sa * std(this.sumB, this.sqB, j) + 1e-4);
      }
    }
  }
}

/**
 * Activation matching (Git Re-Basin §3.1; correlation as in REPAIR and ZipIt): for each
 * permutation group, the Pearson correlation between A's and B's units over the training
 * samples (every sample and, for feature maps, every position), summed over the taps that carry
 * the group (`FeatureGraph.units`), then one linear assignment per group. Permuting B consistently
 * only permutes its features, so all groups are measured in one pass and solved independently.
 */
export function activationMatching(spec: SymmetrySpec, a: Params, b: Params, context: MatchContext): MatchResult {
  const started = performance.now();
  const data = requireData(context, 'activation');
  const units = data.plugin.featureGraph?.(data.config).units;
  if (!units)
    throw new ConfigError(
      `architecture '${data.plugin.id}' does not say which taps carry its groups (featureGraph().units), so activation matching is not available for it`,
    );
  const groups = groupsToMatch(spec, context);
  for (const g of groups) {
    if (spec.groups[g].kind !== 'permutation')
      throw new ConfigError(`activation matching handles permutation groups; group '${g}' is ${spec.groups[g].kind}`);
    if (!units[g]?.length)
      throw new ConfigError(
        `architecture '${data.plugin.id}' names no tap for group '${g}', so activation matching cannot match it`,
      );
  }
  const taps = [...new Set(groups.flatMap((g) => units[g]))];
  const moments = new Map<string, CrossMoments>();
  const batches = matchBatches(data);
  try {
    batches.batches.forEach(({ x }, k) => {
      tf.tidy(() => {
        const fa = data.plugin.apply(data.config, a, x, { taps }).features;
        const fb = data.plugin.apply(data.config, b, x, { taps }).features;
        for (const tap of taps) {
          const channels = fa[tap].shape[fa[tap].rank - 1];
          if (!moments.has(tap)) moments.set(tap, new CrossMoments(channels));
          moments.get(tap)!.add(fa[tap], fb[tap]);
        }
      });
      context.progress?.({ task: 'activation statistics', done: k + 1, total: batches.batches.length });
    });
  } finally {
    batches.dispose();
  }
  const element: GroupElement = identity(spec);
  for (const g of groups) {
    const n = spec.groups[g].size;
    const correlation = new Float64Array(n * n);
    for (const tap of units[g]) moments.get(tap)!.addCorrelationTo(correlation);
    element[g] = {
      kind: 'permutation',
      perm: solveAssignment(Float32Array.from(correlation), n, n, { maximize: true }).colForRow,
    };
  }
  return {
    element,
    objectiveBefore: innerProduct(a, b),
    objectiveAfter: objectiveAt(spec, a, b, element),
    iterations: 1,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Activation matching as a registered matcher (`--method activation`): correlates the two networks'
 * features on training data.
 */
export const activationMatchingMatcher: Matcher = {
  id: 'activation',
  description: 'Activation matching: correlation of features on training data, one assignment per group (Git Re-Basin)',
  paper: 'Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)',
  kinds: ['permutation'],
  batched: false,
  needsData: true,
  // Only groups whose units some tap carries; a plan gives the others (an MoE layer's experts) to the next matcher.
  handles: (_spec, group, features) => !features || (features.units?.[group]?.length ?? 0) > 0,
  match: activationMatching,
};
