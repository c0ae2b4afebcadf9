import * as tf from '@tensorflow/tfjs';
import { gather, minibatches } from '../data/batches';
import { headOf } from '../data/dataset';
import { crossEntropy } from '../metrics/evaluate';
import { disposeParams, innerProduct, type Params } from '../params/params';
import { normalisationState } from '../plugin/architecture';
import { Rng } from '../random/rng';
import { identity } from '../symmetry/algebra';
import type { GroupElement } from '../symmetry/element';
import type { SymmetrySpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import { requireData } from './match-data';
import type { MatchContext, Matcher, MatchResult } from './matcher';
import { groupsToMatch, objectiveAt } from './match-objective';
import { statisticsOption, weightMatchingSearch } from './weight-matching';

/**
 * The straight-through estimator matcher (Git Re-Basin §3.3): free parameters θ̃ start at θ_A;
 * each step weight-matches B onto θ̃ (warm-started from the last permutation), forms
 * θ_ste = π(θ_B) + θ̃ − sg(θ̃) (value π(θ_B), gradient that of θ̃), and takes one SGD step
 * (momentum 0.9) on the loss of the midpoint ½(θ_A + θ_ste) in training mode. It returns the
 * permutation whose midpoint had the lowest batch loss. Normalisation state is not trained.
 * Defaults: learning rate 0.01, one pass over the samples (`MatchData`).
 */
export function straightThroughMatching(spec: SymmetrySpec, a: Params, b: Params, context: MatchContext): MatchResult {
  const started = performance.now();
  const data = requireData(context, 'ste');
  const { plugin, config } = data;
  const groups = groupsToMatch(spec, context);
  const state = new Set(normalisationState(plugin, config));
  const free: Record<string, tf.Variable> = {};
  for (const [name, t] of Object.entries(a))
    if (t.dtype === 'float32' && !state.has(name)) free[name] = tf.variable(t.clone(), true, `ste/${name}`);
  const shape = plugin.inputShape(config);
  const size = shape.reduce((x: number, y: number) => x * y, 1);
  const batchSize = data.batchSize ?? 500;
  const split = headOf(data.train, data.samples ?? 5000, size);
  const steps = data.steps ?? Math.ceil(split.count / batchSize);
  const optimizer = tf.train.momentum(data.learningRate ?? 0.01, 0.9);
  const rng = new Rng(context.seed);
  let element: GroupElement = identity(spec);
  for (const g of groups) if (context.init?.[g]) element[g] = context.init[g];
  let best = { loss: Infinity, element };
  try {
    let queue: Int32Array[] = [];
    for (let step = 0; step < steps; step++) {
      if (queue.length === 0) queue = minibatches(split.count, batchSize, rng.fork(step));
      const batch = gather(split, queue.shift()!, size);
      element = weightMatchingSearch(spec, { ...a, ...free }, b, {
        seed: context.seed + step,
        groups,
        init: element,
        maxIterations: context.maxIterations,
        statistics: context.statistics,
        options: context.options,
      }).element;
      const moved = transform(b, spec, element);
      const snapshot: Params = Object.fromEntries(Object.entries(free).map(([name, v]) => [name, v.clone()]));
      const loss = tf.tidy(() => {
        const x = tf.tensor(batch.x, [batch.y.length, ...shape]);
        const y = tf.tensor1d(batch.y, 'int32');
        const objective = (): tf.Scalar => {
          const mid: Params = {};
          for (const [name, t] of Object.entries(a)) {
            const ste = free[name] ? tf.add(moved[name], tf.sub(free[name], snapshot[name])) : moved[name];
            mid[name] = t.dtype === 'float32' ? tf.mul(0.5, tf.add(t, ste)) : t;
          }
          return crossEntropy(plugin.apply(config, mid, x, { train: true }).logits, y);
        };
        return optimizer.minimize(objective, true, Object.values(free)) as tf.Scalar;
      });
      const value = loss.dataSync()[0];
      loss.dispose();
      disposeParams(moved);
      disposeParams(snapshot);
      if (value < best.loss) best = { loss: value, element };
      context.progress?.({
        task: 'straight-through',
        done: step + 1,
        total: steps,
        info: `midpoint loss ${value.toFixed(4)} (best ${best.loss.toFixed(4)})`,
      });
    }
  } finally {
    optimizer.dispose();
    Object.values(free).forEach((v) => v.dispose());
  }
  return {
    element: best.element,
    objectiveBefore: innerProduct(a, b),
    objectiveAfter: objectiveAt(spec, a, b, best.element),
    iterations: steps,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The straight-through estimator as a registered matcher (`--method ste`): learns the permutation
 * that minimises the midpoint loss.
 */
export const straightThroughMatcher: Matcher = {
  id: 'ste',
  description: 'Straight-through estimator: learns the permutation that minimises the midpoint loss (Git Re-Basin)',
  paper: 'Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)',
  kinds: ['permutation', 'block-permutation'],
  batched: false,
  needsData: true,
  options: { statistics: statisticsOption },
  match: straightThroughMatching,
};
