import * as tf from '@tensorflow/tfjs';
import { disposeParams } from '../params/params';
import { Rng } from '../random/rng';
import { identity } from '../symmetry/algebra';
import { randomOrthogonal } from '../symmetry/dense-matrix';
import type { SymmetrySpec } from '../symmetry/spec';
import type { GroupElement } from '../symmetry/element';
import { toyPerceptron } from '../testing/fixtures/toy-models';
import { transformTensor } from '../symmetry/transform';
import { CostTerms, unitsFirst } from './cost-terms';

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

  it('computes a term on a middle axis (circuits [heads, d, d]) as Σ over slices, with the stream on the other axes', () => {
    // x: [heads 3, d 8, d 8] with an orthogonal stream on axes 1 and 2 and a permutation of heads on
    // axis 0. The stream's term on axis 1: T[i, j] = Σ_{h,k} A[h, i, k]·B'[h, j, k], B' = B with its
    // heads and axis 2 moved.
    const d = 8;
    const circuitSpec: SymmetrySpec = {
      groups: { heads: { kind: 'permutation', size: 3 }, stream: { kind: 'orthogonal', size: d } },
      axes: {
        x: [[{ group: 'heads', as: 'g' }], [{ group: 'stream', as: 'g' }], [{ group: 'stream', as: 'g' }]],
      },
    };
    const rng = new Rng(4);
    const [a, b] = ['a', 'b'].map((label) => ({ x: tf.tensor3d(rng.fork(label).normalArray(3 * d * d), [3, d, d]) }));
    const stream = randomOrthogonal(d, rng.fork('stream'));
    const element: GroupElement = {
      heads: { kind: 'permutation', perm: Int32Array.from([2, 0, 1]) },
      stream: { kind: 'matrix', matrix: stream },
    };
    const terms = new CostTerms(circuitSpec, a, b);
    const [ax, bx] = [a.x.arraySync(), b.x.arraySync()];
    const perm = [2, 0, 1];
    // B[perm[h]] with the stream applied to its axis `other` (1 or 2): Σ_l O[k, l]·B[…, l, …].
    const moved = (h: number, r: number, c: number, other: number) => {
      let total = 0;
      for (let l = 0; l < d; l++)
        total += stream.data[(other === 1 ? r : c) * d + l] * bx[perm[h]][other === 1 ? l : r][other === 1 ? c : l];
      return total;
    };
    for (const axis of [1, 2]) {
      // The term on `axis` moves B's heads and its other stream axis (for axis 2 that is axis 1, a middle axis).
      const other = 3 - axis;
      const term = terms.term('stream', 'x', axis, d, element).term.arraySync() as number[][];
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let expected = 0;
          for (let h = 0; h < 3; h++)
            for (let k = 0; k < d; k++)
              expected += axis === 1 ? ax[h][i][k] * moved(h, j, k, other) : ax[h][k][i] * moved(h, k, j, other);
          expect(term[i][j]).toBeCloseTo(expected, 4);
        }
      }
    }
    terms.dispose();
    disposeParams(a);
    disposeParams(b);
  });

  describe('with matrix groups on several axes', () => {
    // x: [units 5, d 6, d 6]: a permutation of units on axis 0, an orthogonal group on axis 1 and
    // an invertible one acting as g⁻ᵀ on axis 2; y: [d 6, 4] with the invertible group on axis 0.
    const d = 6;
    const spec3: SymmetrySpec = {
      groups: {
        units: { kind: 'permutation', size: 5 },
        stream: { kind: 'orthogonal', size: d },
        mix: { kind: 'invertible', size: d },
      },
      axes: {
        x: [[{ group: 'units', as: 'g' }], [{ group: 'stream', as: 'g' }], [{ group: 'mix', as: 'inverse' }]],
        y: [[{ group: 'mix', as: 'g' }], null],
      },
    };
    const rng = new Rng(7);
    const params = (label: string) => ({
      x: tf.tensor3d(rng.fork(label).normalArray(5 * d * d), [5, d, d]),
      y: tf.tensor2d(rng.fork(`${label}y`).normalArray(d * 4), [d, 4]),
    });
    const invertible = (seed: number) => {
      const m = randomOrthogonal(d, rng.fork(`mix${seed}`));
      return { n: d, data: m.data.map((v, i) => v + (i % (d + 1) === 0 ? 0.5 : 0)) };
    };
    const elementOf = (seed: number, perm: number[]): GroupElement => ({
      units: { kind: 'permutation', perm: Int32Array.from(perm) },
      stream: { kind: 'matrix', matrix: randomOrthogonal(d, rng.fork(`stream${seed}`)) },
      mix: { kind: 'matrix', matrix: invertible(seed) },
    });
    // The definition: <A's unit i, B's unit j> with every other axis of B moved by the element.
    const definition = (a: tf.Tensor, b: tf.Tensor, axis: number, units: number, element: GroupElement) =>
      tf.tidy(() => {
        const moved = transformTensor(b, 'x', spec3.axes.x, spec3, element, axis);
        return tf.matMul(unitsFirst(a, axis, units), unitsFirst(moved, axis, units), false, true);
      });
    const groupOn = ['units', 'stream', 'mix'];
    const sizes = [5, d, d];

    it('gives every axis its term as defined, and recomputes it when a matrix value is replaced', () => {
      const [a, b] = [params('a'), params('b')];
      const before = tf.memory().numTensors;
      const terms = new CostTerms(spec3, a, b);
      for (const element of [elementOf(1, [3, 0, 4, 1, 2]), elementOf(2, [3, 0, 4, 1, 2])]) {
        for (let axis = 0; axis < 3; axis++) {
          const found = terms.term(groupOn[axis], 'x', axis, sizes[axis], element);
          expect(found.changed).toBe(true);
          const expected = definition(a.x, b.x, axis, sizes[axis], element);
          expect(largestDifference(found.term, expected)).toBeLessThan(1e-4);
          expected.dispose();
          expect(terms.term(groupOn[axis], 'x', axis, sizes[axis], element).changed).toBe(false);
        }
      }
      terms.dispose();
      expect(tf.memory().numTensors).toBe(before);
      [a, b].forEach(disposeParams);
    });

    it('follows a permutation that moves a few units while a matrix stays on a third axis', () => {
      const [a, b] = [params('a'), params('b')];
      const terms = new CostTerms(spec3, a, b, 0.9);
      const start = elementOf(3, [0, 1, 2, 3, 4]);
      terms.term('stream', 'x', 1, d, start);
      const moved: GroupElement = { ...start, units: { kind: 'permutation', perm: Int32Array.from([1, 0, 2, 3, 4]) } };
      const found = terms.term('stream', 'x', 1, d, moved);
      const expected = definition(a.x, b.x, 1, d, moved);
      expect(largestDifference(found.term, expected)).toBeLessThan(1e-4);
      expected.dispose();
      terms.dispose();
      [a, b].forEach(disposeParams);
    });
  });
});
