import type { Rng } from '../random/rng';

/**
 * Small dense square matrices in float64, row-major, for group elements of the matrix kinds
 * (orthogonal, invertible). Sizes are a layer width at most, so plain loops are enough.
 */
export interface DenseMatrix {
  readonly n: number;
  readonly data: Float64Array;
}

/** The n × n identity matrix. */
export function identityMatrix(n: number): DenseMatrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return { n, data };
}

/** The matrix product a·b of two n × n matrices. */
export function multiply(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  const n = a.n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a.data[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b.data[k * n + j];
    }
  }
  return { n, data: out };
}

/** The transpose of an n × n matrix. */
export function transpose(a: DenseMatrix): DenseMatrix {
  const n = a.n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a.data[i * n + j];
  return { n, data: out };
}

/** Inverse by Gauss–Jordan elimination with partial pivoting; throws on a singular matrix. */
export function invert(a: DenseMatrix): DenseMatrix {
  const n = a.n;
  const m = Float64Array.from(a.data);
  const inv = identityMatrix(n).data;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[pivot * n + col])) pivot = r;
    const p = m[pivot * n + col];
    if (Math.abs(p) < 1e-300) throw new Error('matrix is singular and has no inverse');
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        [m[col * n + j], m[pivot * n + j]] = [m[pivot * n + j], m[col * n + j]];
        [inv[col * n + j], inv[pivot * n + j]] = [inv[pivot * n + j], inv[col * n + j]];
      }
    }
    for (let j = 0; j < n; j++) {
      m[col * n + j] /= p;
      inv[col * n + j] /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * n + col];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        m[r * n + j] -= f * m[col * n + j];
        inv[r * n + j] -= f * inv[col * n + j];
      }
    }
  }
  return { n, data: inv };
}

/** A Haar-distributed random orthogonal matrix: Gram–Schmidt on a Gaussian matrix's rows. */
export function randomOrthogonal(n: number, rng: Rng): DenseMatrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) data[i] = rng.normal();
  for (let i = 0; i < n; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += data[i * n + j] * data[k * n + j];
        for (let j = 0; j < n; j++) data[i * n + j] -= dot * data[k * n + j];
      }
    }
    let norm = 0;
    for (let j = 0; j < n; j++) norm += data[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < n; j++) data[i * n + j] /= norm;
  }
  return { n, data };
}

/**
 * A random well-conditioned invertible matrix U·diag(s)·V with U, V orthogonal and s in [0.5, 2]:
 * condition number at most 4, so transforming and inverting stay within float32 tolerance.
 */
export function randomInvertible(n: number, rng: Rng): DenseMatrix {
  const u = randomOrthogonal(n, rng);
  const v = randomOrthogonal(n, rng);
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const s = rng.uniform(0.5, 2);
    for (let j = 0; j < n; j++) scaled[i * n + j] = s * v.data[i * n + j];
  }
  return multiply(u, { n, data: scaled });
}

/** The largest absolute difference between two matrices of one size. */
export function maxAbsDiff(a: DenseMatrix, b: DenseMatrix): number {
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  return worst;
}
