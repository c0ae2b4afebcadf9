import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { logitsDifference } from '../conformance/conformance';
import { weightMatchingMatcher } from '../matching/weight-matching';
import type { Params } from '../params/params';
import { Rng } from '../random/rng';
import { random } from '../symmetry/algebra';
import { transform } from '../symmetry/transform';
import { toyPerceptron } from '../testing/fixtures/toy-models';
import { planAligner } from './aligner';
import { weightedAverage } from './average';
import { averageMerge, hierarchicalMerge, mergeMany, pairwiseMerge } from './merge';

beforeAll(() => cpuBackend.activate());

const config = toyPerceptron.examples[0];
const spec = toyPerceptron.symmetry(config);
const align = planAligner(spec, [weightMatchingMatcher], 'weight');
const subject = { plugin: toyPerceptron, config, batch: 32 };

/** θ and copies of it moved by random permutations: functionally one model, far apart in weights. */
function permutedCopies(count: number): Params[] {
  const base = toyPerceptron.init(config, 0);
  return [base, ...Array.from({ length: count - 1 }, (_, k) => transform(base, spec, random(spec, new Rng(100 + k))))];
}

describe('weightedAverage', () => {
  it('is the normalised weighted sum', () => {
    const a = { w: tf.tensor1d([1, 2]) };
    const b = { w: tf.tensor1d([3, 6]) };
    expect(Array.from(weightedAverage([a, b]).w.dataSync())).toEqual([2, 4]);
    expect(Array.from(weightedAverage([a, b], [3, 1]).w.dataSync())).toEqual([1.5, 3]);
  });
});

describe('merging permuted copies of one network', () => {
  it('naive averaging destroys the function', () => {
    const models = permutedCopies(4);
    expect(logitsDifference(subject, models[0], averageMerge(models).params, 32)).toBeGreaterThan(0.1);
  });

  it('MergeMany recovers the function exactly, and stops once nothing changes', () => {
    const models = permutedCopies(4);
    const result = mergeMany(spec, align, models, { seed: 0 });
    expect(logitsDifference(subject, models[0], result.params, 32)).toBeLessThanOrEqual(1e-4);
    expect(result.rounds).toBeGreaterThanOrEqual(2);
    expect(result.elements).toHaveLength(4);
  });

  it.each([2, 3, 4, 5])('hierarchical merging of %i copies recovers the function', (count) => {
    const models = permutedCopies(count);
    const result = hierarchicalMerge(spec, align, models, { seed: 0 });
    expect(logitsDifference(subject, models[0], result.params, 32)).toBeLessThanOrEqual(1e-4);
    expect(result.rounds).toBe(Math.ceil(Math.log2(count)));
  });

  it('hierarchical weights each input equally when the count is not a power of two', () => {
    // The output layer's bias is touched by no permutation, so after any alignment it must be
    // the plain mean of the three inputs (λ = ½ at every node would weigh the third model ½).
    const models = [0, 1, 2].map((s) => toyPerceptron.init(config, s));
    const merged = hierarchicalMerge(spec, align, models, { seed: 0 }).params;
    const expected = weightedAverage(models)['layers.2.bias'].dataSync();
    Array.from(merged['layers.2.bias'].dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('pairwise merge aligns then interpolates', () => {
    const [a, b] = permutedCopies(2);
    const merged = pairwiseMerge(spec, align, a, b, 0.3);
    expect(logitsDifference(subject, a, merged, 32)).toBeLessThanOrEqual(1e-4);
  });
});
