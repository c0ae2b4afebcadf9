import { type DenseMatrix, multiply, transpose } from '../symmetry/dense-matrix';

/** A singular value decomposition M = U·diag(s)·Vᵀ of a square matrix, in float64. */
export interface SingularValueDecomposition {
  /** Left singular vectors as the columns of an n × n orthogonal matrix. */
  u: DenseMatrix;
  /** Singular values, in the order of the columns of u and v (not sorted). */
  s: Float64Array;
  /** Right singular vectors as the columns of an n × n orthogonal matrix. */
  v: DenseMatrix;
  /** Jacobi sweeps taken (the last one rotated nothing). */
  sweeps: number;
}

/** Pairs of columns count as orthogonal below this cosine: float64 rounding. */
const JACOBI_TOLERANCE = 1e-15;
/** Jacobi sweeps at most (rarely more than 10 are needed). */
const JACOBI_SWEEPS = 60;

/**
 * The SVD of a square matrix by one-sided Jacobi rotations (Hestenes): columns of M·V are
 * orthogonalised pairwise until every pair is orthogonal to `tolerance` relative to their norms;
 * then they are σᵢ·uᵢ. Accurate to float64 rounding for every matrix, singular ones included: a
 * column that vanishes (σ = 0) gets a unit vector orthogonal to the others, so u is orthogonal.
 * Cost about 4n³ per sweep, rarely more than 10 sweeps: well under a second at n = 256.
 *
 * `start`, an orthogonal V₀ (the right singular vectors of a nearby matrix, as a descent that
 * solves a slowly changing problem has), starts the rotations from M·V₀ instead of M: its columns
 * are then nearly orthogonal already and one or two sweeps finish.
 */
export function singularValueDecomposition(
  m: DenseMatrix,
  tolerance = JACOBI_TOLERANCE,
  maxSweeps = JACOBI_SWEEPS,
  start?: DenseMatrix,
): SingularValueDecomposition {
  const n = m.n;
  const { ut, s, vt, sweeps } = jacobiRows(m, tolerance, maxSweeps, start);
  return { u: transpose({ n, data: ut }), s, v: transpose({ n, data: vt }), sweeps };
}

/** `singularValueDecomposition` with U and V as rows (ut: row i is column i of U), as the rotations leave them. */
function jacobiRows(
  m: DenseMatrix,
  tolerance: number,
  maxSweeps: number,
  start?: DenseMatrix,
): { ut: Float64Array; s: Float64Array; vt: Float64Array; sweeps: number } {
  const n = m.n;
  // Row i of `w` is column i of M·V; row i of `vt` is column i of V.
  const w = new Float64Array(n * n);
  const vt = new Float64Array(n * n);
  if (start) {
    const mv = multiply(m, start);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[j * n + i] = mv.data[i * n + j];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = start.data[i * n + j];
  } else {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[j * n + i] = m.data[i * n + j];
    for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  }
  // Squared column norms, recomputed each sweep and updated through each rotation in between, so
  // a pair's check costs one inner product, not three (late sweeps rotate few pairs).
  const norms = new Float64Array(n);
  let sweeps = 0;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    sweeps = sweep + 1;
    let rotated = false;
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let k = 0; k < n; k++) norm += w[i * n + k] * w[i * n + k];
      norms[i] = norm;
    }
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p];
        const beta = norms[q];
        let gamma = 0;
        for (let k = 0; k < n; k++) gamma += w[p * n + k] * w[q * n + k];
        if (gamma === 0 || Math.abs(gamma) <= tolerance * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotateRows(w, n, p, q, c, s);
        rotateRows(vt, n, p, q, c, s);
        // The rotation zeroes the pair's inner product and moves t·γ of squared norm from p to q.
        norms[p] = alpha - t * gamma;
        norms[q] = beta + t * gamma;
      }
    }
    if (!rotated) break;
  }
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let k = 0; k < n; k++) norm += w[i * n + k] ** 2;
    s[i] = Math.sqrt(norm);
  }
  const largest = s.reduce((a, b) => Math.max(a, b), 0);
  const ut = new Float64Array(n * n);
  const missing: number[] = [];
  for (let i = 0; i < n; i++) {
    if (s[i] <= n * 1e-14 * largest || s[i] === 0) {
      s[i] = 0;
      missing.push(i);
      continue;
    }
    for (let k = 0; k < n; k++) ut[i * n + k] = w[i * n + k] / s[i];
  }
  completeOrthonormalRows(ut, n, missing);
  return { ut, s, vt, sweeps };
}

/**
 * The orthogonal polar factor of M: the orthogonal Q nearest to M in Frobenius norm, which is also
 * the orthogonal Q maximising tr(Qᵀ·M) (Procrustes): Q = U·Vᵀ for M = U·diag(s)·Vᵀ.
 */
export function polarFactor(m: DenseMatrix): DenseMatrix {
  return polarDecomposition(m).factor;
}

/**
 * `polarFactor` with the right singular vectors V it found, to `start` the next decomposition of
 * a nearby matrix from (see `singularValueDecomposition`).
 */
export function polarDecomposition(m: DenseMatrix, start?: DenseMatrix): { factor: DenseMatrix; basis: DenseMatrix } {
  const n = m.n;
  const { ut, vt } = jacobiRows(m, JACOBI_TOLERANCE, JACOBI_SWEEPS, start);
  // U·Vᵀ = Σ_k (column k of U)(column k of V)ᵀ: rows k of ut and vt, read in order.
  const factor = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      const u = ut[k * n + i];
      if (u === 0) continue;
      for (let j = 0; j < n; j++) factor[i * n + j] += u * vt[k * n + j];
    }
  }
  return { factor: { n, data: factor }, basis: transpose({ n, data: vt }) };
}

function rotateRows(x: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const a = x[p * n + k];
    const b = x[q * n + k];
    x[p * n + k] = c * a - s * b;
    x[q * n + k] = s * a + c * b;
  }
}

/** Fills rows `missing` of `rows` with unit vectors orthogonal to every other row (Gram–Schmidt on e₀, e₁, …). */
function completeOrthonormalRows(rows: Float64Array, n: number, missing: readonly number[]): void {
  let basis = 0;
  for (const i of missing) {
    for (; basis < n; basis++) {
      const candidate = new Float64Array(n);
      candidate[basis] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let r = 0; r < n; r++) {
          if (r === i) continue; // rows still missing are zero and take nothing away
          let dot = 0;
          for (let k = 0; k < n; k++) dot += candidate[k] * rows[r * n + k];
          for (let k = 0; k < n; k++) candidate[k] -= dot * rows[r * n + k];
        }
      }
      const norm = Math.sqrt(candidate.reduce((total, x) => total + x * x, 0));
      if (norm > 0.5) {
        for (let k = 0; k < n; k++) rows[i * n + k] = candidate[k] / norm;
        basis++;
        break;
      }
    }
  }
}

/**
 * The least-squares M of M·Q + P·M = R for symmetric positive semi-definite P and Q (a Sylvester
 * equation), through the eigenvectors of both: in those bases it is elementwise division by
 * λᵢ + μⱼ. Directions where λᵢ + μⱼ vanishes get 0 (the minimum-norm solution).
 */
export function solveSymmetricSylvester(p: DenseMatrix, q: DenseMatrix, r: DenseMatrix): DenseMatrix {
  const n = p.n;
  const ep = singularValueDecomposition(p);
  const eq = singularValueDecomposition(q);
  const inBases = multiply3(transpose(ep.u), r, eq.u);
  const largest = Math.max(...ep.s, ...eq.s);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const denominator = ep.s[i] + eq.s[j];
      inBases.data[i * n + j] = denominator > 1e-12 * largest ? inBases.data[i * n + j] / denominator : 0;
    }
  }
  return multiply3(ep.u, inBases, transpose(eq.u));
}

function multiply3(a: DenseMatrix, b: DenseMatrix, c: DenseMatrix): DenseMatrix {
  return multiply(multiply(a, b), c);
}
