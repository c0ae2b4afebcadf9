import { rowKernels } from './row-kernels';

/** A square matrix, row-major in float64: entry (i, j) at data[i·n + j]. */
export interface SquareMatrix {
  n: number;
  data: Float64Array;
}

/** A singular value decomposition M = U·diag(s)·Vᵀ of a square matrix, in float64. */
export interface SingularValueDecomposition {
  /** Left singular vectors as the columns of an n × n orthogonal matrix. */
  u: SquareMatrix;
  /** Singular values, in the order of the columns of u and v (not sorted). */
  s: Float64Array;
  /** Right singular vectors as the columns of an n × n orthogonal matrix. */
  v: SquareMatrix;
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
  m: SquareMatrix,
  tolerance = JACOBI_TOLERANCE,
  maxSweeps = JACOBI_SWEEPS,
  start?: SquareMatrix,
): SingularValueDecomposition {
  const n = m.n;
  const { ut, s, vt, sweeps } = jacobiRows(m, tolerance, maxSweeps, start);
  return { u: transposed(n, ut), s, v: transposed(n, vt), sweeps };
}

/**
 * The orthogonal polar factor of M: the orthogonal Q nearest to M in Frobenius norm, which is also
 * the orthogonal Q maximising tr(Qᵀ·M) (the orthogonal Procrustes problem, the counterpart of
 * linear assignment for orthogonal maps): Q = U·Vᵀ for M = U·diag(s)·Vᵀ.
 */
export function polarFactor(m: SquareMatrix): SquareMatrix {
  return polarDecomposition(m).factor;
}

/**
 * `polarFactor` with the right singular vectors V it found, to `start` the next decomposition of
 * a nearby matrix from (see `singularValueDecomposition`).
 */
export function polarDecomposition(
  m: SquareMatrix,
  start?: SquareMatrix,
): { factor: SquareMatrix; basis: SquareMatrix } {
  const n = m.n;
  const { ut, vt } = jacobiRows(m, JACOBI_TOLERANCE, JACOBI_SWEEPS, start);
  // U·Vᵀ = Σ_k (column k of U)(column k of V)ᵀ: row i of it is Σ_k U[i, k]·(row k of vt).
  // The workspace's vt still holds V's columns as rows (jacobiRows returned a copy).
  const work = workspace(n);
  work.product.fill(0);
  for (let i = 0; i < n; i++) {
    const row = work.productAt + i * n * 8;
    for (let k = 0; k < n; k++) {
      const u = ut[k * n + i];
      if (u !== 0) work.kernels.axpy(row, work.vtAt + k * n * 8, n, u);
    }
  }
  return { factor: { n, data: work.product.slice() }, basis: transposed(n, vt) };
}

/**
 * One-sided Jacobi on the rows of a workspace: row i of `w` is column i of M·V, row i of `vt` is
 * column i of V. Returns U and V as rows (ut: row i is column i of U), as the rotations leave them.
 */
function jacobiRows(
  m: SquareMatrix,
  tolerance: number,
  maxSweeps: number,
  start?: SquareMatrix,
): { ut: Float64Array; s: Float64Array; vt: Float64Array; sweeps: number } {
  const n = m.n;
  const work = workspace(n);
  const { w, vt, kernels } = work;
  const wRow = (i: number) => work.wAt + i * n * 8;
  const vRow = (i: number) => work.vtAt + i * n * 8;
  if (start) {
    // Column j of M·V₀ = Σ_l V₀[l, j]·(column l of M): columns of M as rows of `product` first.
    const mt = work.product;
    for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) mt[l * n + i] = m.data[i * n + l];
    w.fill(0);
    for (let j = 0; j < n; j++) {
      for (let l = 0; l < n; l++) {
        const scale = start.data[l * n + j];
        if (scale !== 0) kernels.axpy(wRow(j), work.productAt + l * n * 8, n, scale);
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = start.data[i * n + j];
  } else {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[j * n + i] = m.data[i * n + j];
    vt.fill(0);
    for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  }
  // Squared column norms, recomputed each sweep and updated through each rotation in between, so
  // a pair's check costs one inner product, not three (late sweeps rotate few pairs).
  const norms = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  let sweeps = 0;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    sweeps = sweep + 1;
    let rotated = false;
    for (let i = 0; i < n; i++) norms[i] = kernels.dot(wRow(i), wRow(i), n);
    // Pairs in the order of decreasing column norm (de Rijk): fewer sweeps (about 10 % here).
    order.sort((i, j) => norms[j] - norms[i]);
    for (let a = 0; a < n - 1; a++) {
      const p = order[a];
      for (let b = a + 1; b < n; b++) {
        const q = order[b];
        const alpha = norms[p];
        const beta = norms[q];
        const gamma = kernels.dot(wRow(p), wRow(q), n);
        if (gamma === 0 || Math.abs(gamma) <= tolerance * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        kernels.rotate(wRow(p), wRow(q), n, c, s);
        kernels.rotate(vRow(p), vRow(q), n, c, s);
        // The rotation zeroes the pair's inner product and moves t·γ of squared norm from p to q.
        norms[p] = alpha - t * gamma;
        norms[q] = beta + t * gamma;
      }
    }
    if (!rotated) break;
  }
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = Math.sqrt(kernels.dot(wRow(i), wRow(i), n));
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
  return { ut, s, vt: vt.slice(), sweeps };
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

function transposed(n: number, rows: Float64Array): SquareMatrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[j * n + i] = rows[i * n + j];
  return { n, data };
}

/**
 * The WebAssembly memory the decompositions work in: three n × n float64 matrices (the rotated
 * columns `w`, the right singular vectors `vt`, and `product` for M's columns or U·Vᵀ), one
 * per process, grown to the largest n seen. A decomposition does not call another, so one is
 * enough.
 */
interface Workspace {
  n: number;
  memory: WebAssembly.Memory;
  kernels: ReturnType<typeof rowKernels>;
  w: Float64Array;
  vt: Float64Array;
  product: Float64Array;
  wAt: number;
  vtAt: number;
  productAt: number;
}

let shared: Workspace | undefined;

/** The shared workspace laid out for n × n matrices, growing its memory if needed. */
function workspace(n: number): Workspace {
  if (shared?.n === n) return shared;
  const memory = shared?.memory ?? new WebAssembly.Memory({ initial: 1 });
  const matrix = n * n * 8;
  const pages = Math.ceil((3 * matrix) / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  const buffer = memory.buffer;
  shared = {
    n,
    memory,
    kernels: shared?.kernels ?? rowKernels(memory),
    w: new Float64Array(buffer, 0, n * n),
    vt: new Float64Array(buffer, matrix, n * n),
    product: new Float64Array(buffer, 2 * matrix, n * n),
    wAt: 0,
    vtAt: matrix,
    productAt: 2 * matrix,
  };
  return shared;
}
