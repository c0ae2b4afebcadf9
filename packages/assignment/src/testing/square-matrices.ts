import type { SquareMatrix } from '../polar-decomposition';
import type { TestRandom } from './test-random';

/**
 * Dense float64 helpers for this package's tests of the polar decomposition (the package depends
 * on no other weightspace package). Not for use outside tests.
 */
export function multiply(a: SquareMatrix, b: SquareMatrix): SquareMatrix {
  const n = a.n;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) data[i * n + j] += a.data[i * n + k] * b.data[k * n + j];
  return { n, data };
}

export function transpose(a: SquareMatrix): SquareMatrix {
  const n = a.n;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[j * n + i] = a.data[i * n + j];
  return { n, data };
}

export function diagonal(values: readonly number[]): SquareMatrix {
  const n = values.length;
  const data = new Float64Array(n * n);
  values.forEach((v, i) => (data[i * n + i] = v));
  return { n, data };
}

export const identity = (n: number): SquareMatrix => diagonal(new Array<number>(n).fill(1));

export function trace(m: SquareMatrix): number {
  let total = 0;
  for (let i = 0; i < m.n; i++) total += m.data[i * m.n + i];
  return total;
}

export function maxAbsDiff(a: SquareMatrix, b: SquareMatrix): number {
  return a.data.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b.data[i])), 0);
}

/** max |QᵀQ − I|: how far Q is from orthogonal. */
export const orthogonalityError = (q: SquareMatrix): number => maxAbsDiff(multiply(transpose(q), q), identity(q.n));

/** A Gaussian matrix. */
export function gaussian(n: number, random: TestRandom): SquareMatrix {
  return { n, data: Float64Array.from({ length: n * n }, () => random.normal()) };
}

/** A random orthogonal matrix: Gram–Schmidt (twice) on the rows of a Gaussian matrix. */
export function randomOrthogonal(n: number, random: TestRandom): SquareMatrix {
  const { data } = gaussian(n, random);
  for (let i = 0; i < n; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r < i; r++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += data[i * n + k] * data[r * n + k];
        for (let k = 0; k < n; k++) data[i * n + k] -= dot * data[r * n + k];
      }
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += data[i * n + k] ** 2;
    for (let k = 0; k < n; k++) data[i * n + k] /= Math.sqrt(norm);
  }
  return { n, data };
}
