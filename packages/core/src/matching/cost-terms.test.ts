import * as tf from '@tensorflow/tfjs';
import { disposeParams } from '../params/params';
import { identity } from '../symmetry/algebra';
import type { GroupElement } from '../symmetry/element';
import { toyPerceptron } from '../testing/fixtures/toy-models';
import { CostTerms } from './cost-terms';

const largestDifference = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]);

describe('CostTerms', () => {
  const config = { input: 16, hidden: [40, 48] as [number, number], classes: 4 };
  const spec = toyPerceptron.symmetry(config);
  const swapped = (n: number, pairs: Array<[number, number]>) => {
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (const [i, j] of pairs) [perm[i], perm[j]] = [perm[j], perm[i]];
    return perm;
  };

  it('updates a term in place when a few units of another axis move, to the term computed afresh', () => {
    const [a, b] = [0, 1].map((seed) => toyPerceptron.init(config, seed));
    const terms = new CostTerms(spec, a, b);
    const start: GroupElement = identity(spec);
    // h0's term on layers.1.weight (axis 1) depends on h1, which acts on axis 0.
    const first = terms.term('h0', 'layers.1.weight', 1, 40, start);
    expect(first.changed).toBe(true);
    const startTerm = first.term.clone();
    expect(terms.term('h0', 'layers.1.weight', 1, 40, start).changed).toBe(false);
    // An equal permutation in a new object is no change.
    expect(
      terms.term('h0', 'layers.1.weight', 1, 40, { ...start, h1: { kind: 'permutation', perm: swapped(48, []) } })
        .changed,
    ).toBe(false);
    const moved: GroupElement = {
      ...start,
      h1: {
        kind: 'permutation',
        perm: swapped(48, [
          [3, 17],
          [5, 40],
          [9, 11],
        ]),
      },
    };
    const updated = terms.term('h0', 'layers.1.weight', 1, 40, moved);
    expect(updated.changed).toBe(true);
    const fresh = new CostTerms(spec, a, b);
    const expected = fresh.term('h0', 'layers.1.weight', 1, 40, moved).term;
    expect(largestDifference(updated.term, expected)).toBeLessThan(1e-5);
    expect(largestDifference(updated.term, startTerm)).toBeGreaterThan(1e-3);
    startTerm.dispose();
    terms.dispose();
    fresh.dispose();
    disposeParams(a);
    disposeParams(b);
  });

  it('recomputes when most units move, and keeps no tensor after dispose', () => {
    const [a, b] = [0, 1].map((seed) => toyPerceptron.init(config, seed));
    const before = tf.memory().numTensors;
    const terms = new CostTerms(spec, a, b);
    const reversed: GroupElement = {
      ...identity(spec),
      h1: { kind: 'permutation', perm: Int32Array.from({ length: 48 }, (_, i) => 47 - i) },
    };
    terms.term('h0', 'layers.1.weight', 1, 40, identity(spec));
    const term = terms.term('h0', 'layers.1.weight', 1, 40, reversed).term;
    const fresh = new CostTerms(spec, a, b);
    expect(largestDifference(term, fresh.term('h0', 'layers.1.weight', 1, 40, reversed).term)).toBe(0);
    fresh.dispose();
    terms.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(a);
    disposeParams(b);
  });
});
