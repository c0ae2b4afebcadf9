import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { disposeParams, maxAbsDifference, type Params } from '../params/params';
import { Rng } from '../random/rng';
import { elementsEqual, inverse, random } from '../symmetry/algebra';
import type { GroupElement } from '../symmetry/element';
import type { SymmetrySpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import { straightThroughMatcher } from './straight-through';
import { weightMatching } from './weight-matching';

beforeAll(() => cpuBackend.activate());

/** A hidden layer with BatchNorm state: fc1 [8, 5] → (running mean, running var) [8] → fc2 [3, 8]. */
const unit = { group: 'hidden', as: 'g' as const };
const unitIn = { group: 'hidden', as: 'inverse' as const };
const spec: SymmetrySpec = {
  groups: { hidden: { kind: 'permutation', size: 8 } },
  axes: {
    'fc1.weight': [[unit], null],
    'bn.running_mean': [[unit]],
    'bn.running_var': [[unit]],
    'fc2.weight': [null, [unitIn]],
  },
};
const statistics = ['bn.running_mean', 'bn.running_var'];

/**
 * B: A's weights moved by `weights`, and A's running statistics, scaled up 100 times, moved by
 * another permutation `stats`: the weights and the statistics disagree on the order, and the
 * statistics dominate the objective whenever they count.
 */
function disagreeingPair(): { a: Params; b: Params; weights: GroupElement; stats: GroupElement } {
  const rng = new Rng(3);
  const a: Params = {
    'fc1.weight': tf.tensor2d(rng.normalArray(40, 1), [8, 5]),
    'bn.running_mean': tf.tensor1d(rng.normalArray(8, 1)),
    'bn.running_var': tf.tensor1d(rng.normalArray(8, 1).map((x) => 1 + Math.abs(x))),
    'fc2.weight': tf.tensor2d(rng.normalArray(24, 1), [3, 8]),
  };
  const weights = random(spec, rng.fork(1));
  const stats = random(spec, rng.fork(2));
  const moved = transform(a, spec, weights);
  const shuffled = transform(a, spec, stats);
  const b: Params = {
    'fc1.weight': moved['fc1.weight'],
    'fc2.weight': moved['fc2.weight'],
    'bn.running_mean': tf.mul(100, shuffled['bn.running_mean']),
    'bn.running_var': tf.mul(100, shuffled['bn.running_var']),
  };
  disposeParams({ 'bn.running_mean': moved['bn.running_mean'], 'bn.running_var': moved['bn.running_var'] });
  disposeParams(shuffled);
  return { a, b, weights, stats };
}

describe('weight matching and normalisation state', () => {
  it('follows the running statistics when they count, and recovers the weights exactly when they are left out', () => {
    const { a, b, weights, stats } = disagreeingPair();
    const counted = weightMatching(spec, a, b, { seed: 0, statistics, options: { statistics: 'match' } });
    expect(elementsEqual(counted.element, inverse(spec, stats))).toBe(true);
    const left = weightMatching(spec, a, b, { seed: 0, statistics, options: { statistics: 'ignore' } });
    expect(elementsEqual(left.element, inverse(spec, weights))).toBe(true);
    // The objective left out the statistics: aligned B's weights equal A's, and that is all it sums.
    const aligned = transform(b, spec, left.element);
    expect(maxAbsDifference({ w: a['fc1.weight'] }, { w: aligned['fc1.weight'] })).toBe(0);
    const weightsOnly = ['fc1.weight', 'fc2.weight'].reduce((t, n) => t + tf.sum(tf.square(a[n])).dataSync()[0], 0);
    expect(left.objectiveAfter).toBeCloseTo(weightsOnly, 3);
    // The statistics still move with their units: aligned B's running mean is B's, reordered.
    expect([...aligned['bn.running_mean'].dataSync()].sort()).toEqual([...b['bn.running_mean'].dataSync()].sort());
    [a, b, aligned].forEach(disposeParams);
  });

  it('counts every parameter when the caller names no statistics, and refuses an unknown setting', () => {
    const { a, b, stats } = disagreeingPair();
    const unnamed = weightMatching(spec, a, b, { seed: 0, options: { statistics: 'ignore' } });
    expect(elementsEqual(unnamed.element, inverse(spec, stats))).toBe(true);
    expect(() => weightMatching(spec, a, b, { seed: 0, statistics, options: { statistics: 'sometimes' } })).toThrow(
      "matcher 'weight': option statistics=sometimes is not one of match, ignore",
    );
    [a, b].forEach(disposeParams);
  });

  it('is an option of the straight-through estimator too, whose inner weight matching reads it', () => {
    expect(straightThroughMatcher.options?.statistics?.values).toEqual(['match', 'ignore']);
  });
});
