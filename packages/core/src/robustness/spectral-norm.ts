import type { Params } from '../params/params';
import { Rng } from '../random/rng';

/**
 * Largest singular value of `rows × cols` matrix W by power iteration on WᵀW, in float64 on the
 * host, from a seeded start; iterates until the estimate moves less than `tolerance` (relative).
 */
export function spectralNorm(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  seed = 0,
  maxIterations = 200,
  tolerance = 1e-7,
): number {
  const rng = new Rng(seed);
  let v = Float64Array.from({ length: cols }, () => rng.normal());
  const u = new Float64Array(rows);
  let sigma = 0;
  for (let it = 0; it < maxIterations; it++) {
    normalise(v);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      const base = i * cols;
      for (let j = 0; j < cols; j++) s += w[base + j] * v[j];
      u[i] = s;
    }
    const next = norm(u);
    const back = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const ui = u[i];
      if (ui === 0) continue;
      const base = i * cols;
      for (let j = 0; j < cols; j++) back[j] += w[base + j] * ui;
    }
    v = back;
    if (Math.abs(next - sigma) <= tolerance * Math.max(next, 1e-30)) return next;
    sigma = next;
  }
  return sigma;
}

function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

function normalise(x: Float64Array): void {
  const n = norm(x) || 1;
  for (let i = 0; i < x.length; i++) x[i] /= n;
}

/**
 * Per-layer spectral norms of every parameter of rank ≥ 2 (reshaped to [out, rest]), in the
 * parameters' order, and their product: an upper bound on the network's Lipschitz constant for
 * feed-forward networks of those layers with 1-Lipschitz activations (ReLU) such as the MLP.
 * Biases do not change a Lipschitz constant and are skipped.
 */
export function lipschitzUpperBound(
  params: Params,
  seed = 0,
): { layers: Array<{ name: string; norm: number }>; bound: number } {
  const layers = Object.entries(params)
    .filter(([, t]) => t.rank >= 2 && t.dtype === 'float32')
    .map(([name, t]) => ({ name, norm: spectralNorm(t.dataSync(), t.shape[0], t.size / t.shape[0], seed) }));
  return { layers, bound: layers.reduce((p, l) => p * l.norm, 1) };
}

/** Euclidean norm of all float parameters together. */
export function weightNorm(params: Params): number {
  let s = 0;
  for (const t of Object.values(params)) {
    if (t.dtype !== 'float32') continue;
    const d = t.dataSync();
    for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  }
  return Math.sqrt(s);
}
