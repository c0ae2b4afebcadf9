import { disposeParams, type Params } from '../params/params';
import type { ProgressSink } from '../progress/progress';
import { Rng } from '../random/rng';
import { elementsEqual, identity } from '../symmetry/algebra';
import type { GroupElement } from '../symmetry/element';
import type { SymmetrySpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import { lerp } from '../metrics/interpolate';
import type { Aligner } from './aligner';
import { weightedAverage } from './average';

/** Seed, rounds and progress of the MergeMany and hierarchical merges. */
export interface MergeOptions {
  seed: number;
  progress?: ProgressSink;
}

/** A merged model's parameters, with the rounds and seconds the merge took. */
export interface MergeResult {
  params: Params;
  /** MergeMany: rounds until no permutation changed; hierarchical: tree levels; average: 0. */
  rounds: number;
  seconds: number;
  /** The element applied to each input (MergeMany); identity for the others. */
  elements?: GroupElement[];
}

/** Plain averaging, no alignment: the naive baseline. */
export function averageMerge(models: readonly Params[]): MergeResult {
  const started = performance.now();
  return { params: weightedAverage(models), rounds: 0, seconds: (performance.now() - started) / 1000 };
}

/** Align B to A, then (1 − λ)A + λB'. */
export function pairwiseMerge(
  spec: SymmetrySpec,
  align: Aligner,
  a: Params,
  b: Params,
  lambda = 0.5,
  seed = 0,
): Params {
  const moved = transform(b, spec, align(a, b, seed));
  const merged = lerp(a, moved, lambda);
  disposeParams(moved);
  return merged;
}

/**
 * MergeMany (Ainsworth et al. 2023): in rounds, visit the models in a seeded random order and
 * align each one, from its original weights, to the mean of all the others as they are currently
 * aligned; stop after a round in which no element changed (or after `maxRounds`). The result is
 * the mean of the aligned models. There is no anchor model.
 *
 * @param spec the symmetry spec of every model
 * @param align how to align one model to another (see `planAligner`)
 * @param models the models to merge, all of one architecture
 * @param options seed of the order, progress, rounds at most
 * @returns the merged parameters, with the rounds and seconds it took
 * @example
 * ```ts
 * import { mergeMany, planAligner, toyPerceptron, weightMatchingMatcher } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const models = [0, 1, 2].map((seed) => toyPerceptron.init(config, seed));
 * const merged = mergeMany(spec, planAligner(spec, [weightMatchingMatcher], 'weight'), models, { seed: 0, maxRounds: 10 });
 * console.log(merged.rounds);
 * ```
 */
export function mergeMany(
  spec: SymmetrySpec,
  align: Aligner,
  models: readonly Params[],
  options: MergeOptions & { maxRounds?: number },
): MergeResult {
  const started = performance.now();
  const n = models.length;
  if (n < 2) throw new Error('MergeMany needs at least two models');
  const maxRounds = options.maxRounds ?? 50;
  const elements: GroupElement[] = models.map(() => identity(spec));
  const aligned: Params[] = models.map((m) => transform(m, spec, elements[0]));
  const rng = new Rng(options.seed);
  let rounds = 0;
  for (let round = 0; round < maxRounds; round++) {
    rounds = round + 1;
    let changed = false;
    const order = rng.fork(round).permutation(n);
    for (const i of order) {
      const others = aligned.filter((_, k) => k !== i);
      const target = weightedAverage(others);
      // Each model's element moves little between rounds: search from where it stands.
      const element = align(target, models[i], options.seed + 7919 * round + i, elements[i]);
      disposeParams(target);
      // Matrix values (an orthogonal stream, per-head maps) settle to float noise, not bit for bit.
      if (!elementsEqual(element, elements[i], 1e-6)) {
        changed = true;
        elements[i] = element;
        disposeParams(aligned[i]);
        aligned[i] = transform(models[i], spec, element);
      }
    }
    options.progress?.({ task: 'MergeMany', done: rounds, total: maxRounds, info: changed ? 'changed' : 'stable' });
    if (!changed) break;
  }
  options.progress?.({ task: 'MergeMany', done: rounds, total: rounds, info: `stable after ${rounds} rounds` });
  const params = weightedAverage(aligned);
  aligned.forEach(disposeParams);
  return { params, rounds, seconds: (performance.now() - started) / 1000, elements };
}

/**
 * Hierarchical re-basin (Franke et al. 2025): a balanced binary tree of pairwise merges. At each
 * level the models are paired in their given order, (0, 1), (2, 3), …; the second of each pair is
 * aligned to the first and the two are averaged, weighted by how many input models each stands
 * for (λ = ½ when the count is a power of two, and every input weighs the same otherwise). An odd
 * model out moves up a level unchanged.
 */
export function hierarchicalMerge(
  spec: SymmetrySpec,
  align: Aligner,
  models: readonly Params[],
  options: MergeOptions,
): MergeResult {
  const started = performance.now();
  if (models.length < 2) throw new Error('hierarchical merging needs at least two models');
  let level: Array<{ params: Params; leaves: number; owned: boolean }> = models.map((params) => ({
    params,
    leaves: 1,
    owned: false,
  }));
  let levels = 0;
  const totalLevels = Math.ceil(Math.log2(models.length));
  while (level.length > 1) {
    const next: typeof level = [];
    for (let k = 0; k + 1 < level.length; k += 2) {
      const [first, second] = [level[k], level[k + 1]];
      const lambda = second.leaves / (first.leaves + second.leaves);
      const merged = pairwiseMerge(spec, align, first.params, second.params, lambda, options.seed + 1009 * levels + k);
      for (const node of [first, second]) if (node.owned) disposeParams(node.params);
      next.push({ params: merged, leaves: first.leaves + second.leaves, owned: true });
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
    levels++;
    options.progress?.({ task: 'hierarchical', done: levels, total: totalLevels });
  }
  const root = level[0];
  return {
    params: root.owned ? root.params : transform(root.params, spec, identity(spec)),
    rounds: levels,
    seconds: (performance.now() - started) / 1000,
  };
}
