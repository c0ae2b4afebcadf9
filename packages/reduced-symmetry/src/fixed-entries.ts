import { hashString, Rng } from '@weightspace/core';

/**
 * The fixed entries of a W-asymmetric layer (Lim et al. 2024): in each output row, `nFix` of the
 * `cols` inputs (a conv filter's in·kh·kw block) are frozen at κ times a fixed Gaussian value.
 * Every choice comes from a generator seeded by (layer key, row) alone, never from process state,
 * so two models built in two processes share the same masks and values.
 */
export interface FixedEntries {
  /** 1 where the weight is trainable, 0 where it is fixed; row-major rows × cols. */
  mask: Float32Array;
  /** κ·N(0, 1) at the fixed entries, 0 elsewhere. */
  values: Float32Array;
}

/**
 * The fixed entries of a W-asymmetric layer: for each row, n_fix columns and their values, drawn
 * from the layer's key and the seed.
 */
export function fixedEntries(
  layerKey: string,
  rows: number,
  cols: number,
  nFix: number,
  kappa: number,
  seed = 0,
): FixedEntries {
  if (!Number.isInteger(nFix) || nFix < 0 || nFix > cols)
    throw new Error(`layer '${layerKey}': n_fix ${nFix} must be an integer in [0, ${cols}]`);
  const mask = new Float32Array(rows * cols).fill(1);
  const values = new Float32Array(rows * cols);
  const order = new Int32Array(cols);
  for (let r = 0; r < rows; r++) {
    const rng = new Rng(hashString(`${seed}/${layerKey}/${r}`));
    for (let c = 0; c < cols; c++) order[c] = c;
    // Partial Fisher–Yates: the first nFix entries are a uniform random subset.
    for (let k = 0; k < nFix; k++) {
      const j = k + rng.int(cols - k);
      const t = order[k];
      order[k] = order[j];
      order[j] = t;
      mask[r * cols + order[k]] = 0;
      values[r * cols + order[k]] = kappa * rng.normal();
    }
  }
  return { mask, values };
}
