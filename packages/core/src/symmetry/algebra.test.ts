import { Rng } from '../random/rng';
import { compose, elementsEqual, identity, inverse, random } from './algebra';
import {
  type DenseMatrix,
  identityMatrix,
  invert,
  maxAbsDiff,
  multiply,
  randomInvertible,
  randomOrthogonal,
  transpose,
} from './dense-matrix';
import type { GroupElement, MatrixValue } from './element';
import type { SymmetrySpec } from './spec';

/** Every group kind, and two groups batched over a permutation: the laws hold for all of them. */
const spec: SymmetrySpec = {
  groups: {
    units: { kind: 'permutation', size: 7 },
    heads: { kind: 'block-permutation', size: 3, blockSize: 4 },
    stream: { kind: 'orthogonal', size: 5 },
    qk: { kind: 'invertible', size: 4 },
    experts: { kind: 'permutation', size: 4 },
    hidden: { kind: 'permutation', size: 6, batchedOver: 'experts' },
    rotation: { kind: 'orthogonal', size: 3, batchedOver: 'experts' },
  },
  axes: {},
};

const draw = (seed: number): GroupElement => random(spec, new Rng(seed));
const TOLERANCE = 1e-9;

describe('the symmetry algebra obeys the group laws for every kind of group', () => {
  const [g, h, k] = [draw(1), draw(2), draw(3)];
  const e = identity(spec);

  it('draws elements other than the identity, and different ones from different seeds', () => {
    expect(elementsEqual(g, e, TOLERANCE)).toBe(false);
    expect(elementsEqual(g, h, TOLERANCE)).toBe(false);
    expect(elementsEqual(draw(1), g, 0)).toBe(true);
  });

  it('identity: e·g = g·e = g', () => {
    expect(elementsEqual(compose(spec, e, g), g, TOLERANCE)).toBe(true);
    expect(elementsEqual(compose(spec, g, e), g, TOLERANCE)).toBe(true);
  });

  it('associativity: (g then h) then k = g then (h then k)', () => {
    const left = compose(spec, compose(spec, g, h), k);
    const right = compose(spec, g, compose(spec, h, k));
    expect(elementsEqual(left, right, TOLERANCE)).toBe(true);
    // Composition is not commutative: the order is part of the contract.
    expect(elementsEqual(compose(spec, g, h), compose(spec, h, g), TOLERANCE)).toBe(false);
  });

  it('inverse: g then g⁻¹ = g⁻¹ then g = e, and (g then h)⁻¹ = h⁻¹ then g⁻¹', () => {
    expect(elementsEqual(compose(spec, g, inverse(spec, g)), e, TOLERANCE)).toBe(true);
    expect(elementsEqual(compose(spec, inverse(spec, g), g), e, TOLERANCE)).toBe(true);
    expect(
      elementsEqual(inverse(spec, compose(spec, g, h)), compose(spec, inverse(spec, h), inverse(spec, g)), TOLERANCE),
    ).toBe(true);
  });

  it('random elements stay in their groups: orthogonal values orthogonal, invertible ones invertible', () => {
    const product = compose(spec, compose(spec, g, h), inverse(spec, k));
    const stream = (product.stream as MatrixValue).matrix;
    expect(maxAbsDiff(multiply(transpose(stream), stream), identityMatrix(5))).toBeLessThan(1e-12);
    const perm = Array.from((product.units as { perm: Int32Array }).perm).sort((a, b) => a - b);
    expect(perm).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

/** Largest and smallest singular value, by power iteration on AᵀA and on (AᵀA)⁻¹. */
function extremeSingularValues(a: DenseMatrix): { largest: number; smallest: number } {
  const gram = multiply(transpose(a), a);
  const dominant = (m: DenseMatrix): number => {
    let v = Float64Array.from({ length: m.n }, (_, i) => 1 + i / m.n);
    let value = 0;
    for (let step = 0; step < 500; step++) {
      const next = new Float64Array(m.n);
      for (let i = 0; i < m.n; i++) for (let j = 0; j < m.n; j++) next[i] += m.data[i * m.n + j] * v[j];
      value = Math.hypot(...next);
      v = next.map((x) => x / value);
    }
    return value;
  };
  return { largest: Math.sqrt(dominant(gram)), smallest: 1 / Math.sqrt(dominant(invert(gram))) };
}

describe('random matrix elements', () => {
  it.each([1, 2, 5, 16, 64])(
    'a random orthogonal n × n matrix, n = %i, is orthogonal to 1e-5 (in fact to float64 rounding)',
    (n) => {
      const q = randomOrthogonal(n, new Rng(n));
      expect(maxAbsDiff(multiply(transpose(q), q), identityMatrix(n))).toBeLessThan(1e-5);
      expect(maxAbsDiff(multiply(q, transpose(q)), identityMatrix(n))).toBeLessThan(1e-5);
    },
  );

  it('random orthogonal matrices look Haar-distributed: entries average 0 with second moment 1/n', () => {
    const n = 6;
    let sum = 0;
    let squares = 0;
    const draws = 400;
    for (let s = 0; s < draws; s++) {
      const q = randomOrthogonal(n, new Rng(1000 + s));
      sum += q.data[0] + q.data[n + 2];
      squares += q.data[0] ** 2 + q.data[n + 2] ** 2;
    }
    expect(Math.abs(sum / (2 * draws))).toBeLessThan(0.05);
    expect(Math.abs(squares / (2 * draws) - 1 / n)).toBeLessThan(0.03);
  });

  it.each([5, 16, 40])(
    'a random invertible n × n matrix, n = %i, has singular values in [0.5, 2]: condition number at most 4',
    (n) => {
      const a = randomInvertible(n, new Rng(n + 7));
      const { largest, smallest } = extremeSingularValues(a);
      expect(largest).toBeLessThanOrEqual(2 + 1e-9);
      expect(smallest).toBeGreaterThanOrEqual(0.5 - 1e-9);
      expect(largest / smallest).toBeLessThanOrEqual(4 + 1e-9);
      // And not merely orthogonal: its singular values spread.
      expect(largest / smallest).toBeGreaterThan(1.2);
      expect(maxAbsDiff(multiply(invert(a), a), identityMatrix(n))).toBeLessThan(1e-9);
    },
  );
});
