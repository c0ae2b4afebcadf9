/**
 * Linear sum assignment by shortest augmenting paths (the Jonker–Volgenant family, in the
 * rectangular form of Crouse 2016), exact for dense real costs.
 *
 * `cost` is row-major `rows × cols`. Returns `colForRow` (length min(rows, cols) rows assigned):
 * for every row i, the column assigned to it, or -1 for rows left unassigned when rows > cols.
 */
export function linearSumAssignment(
  cost: ArrayLike<number>,
  rows: number,
  cols: number,
  options: { maximize?: boolean } = {},
): Int32Array {
  if (cost.length !== rows * cols) throw new Error(`cost has ${cost.length} entries, expected ${rows}×${cols}`);
  const sign = options.maximize ? -1 : 1;
  const transposed = rows > cols;
  const nr = transposed ? cols : rows;
  const nc = transposed ? rows : cols;
  const c = new Float64Array(nr * nc);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = cost[i * cols + j];
      if (Number.isNaN(v)) throw new Error(`cost[${i}][${j}] is NaN`);
      if (transposed) c[j * nc + i] = sign * v;
      else c[i * nc + j] = sign * v;
    }
  }
  const col4row = solveShortestPaths(c, nr, nc);
  if (!transposed) return col4row;
  const out = new Int32Array(rows).fill(-1);
  for (let i = 0; i < nr; i++) out[col4row[i]] = i;
  return out;
}

/** Minimising assignment for nr ≤ nc; returns the column of each row. */
function solveShortestPaths(cost: Float64Array, nr: number, nc: number): Int32Array {
  const u = new Float64Array(nr);
  const v = new Float64Array(nc);
  const shortest = new Float64Array(nc);
  const path = new Int32Array(nc).fill(-1);
  const col4row = new Int32Array(nr).fill(-1);
  const row4col = new Int32Array(nc).fill(-1);
  const seenRow = new Uint8Array(nr);
  const seenCol = new Uint8Array(nc);
  const remaining = new Int32Array(nc);

  for (let curRow = 0; curRow < nr; curRow++) {
    let minVal = 0;
    let i = curRow;
    let numRemaining = nc;
    for (let it = 0; it < nc; it++) remaining[it] = nc - it - 1;
    seenRow.fill(0);
    seenCol.fill(0);
    shortest.fill(Infinity);
    let sink = -1;
    while (sink === -1) {
      let index = -1;
      let lowest = Infinity;
      seenRow[i] = 1;
      const base = i * nc;
      const ui = u[i];
      for (let it = 0; it < numRemaining; it++) {
        const j = remaining[it];
        const r = minVal + cost[base + j] - ui - v[j];
        if (r < shortest[j]) {
          path[j] = i;
          shortest[j] = r;
        }
        if (shortest[j] < lowest || (shortest[j] === lowest && row4col[j] === -1)) {
          lowest = shortest[j];
          index = it;
        }
      }
      minVal = lowest;
      if (minVal === Infinity || index === -1) throw new Error('cost matrix admits no finite assignment');
      const j = remaining[index];
      if (row4col[j] === -1) sink = j;
      else i = row4col[j];
      seenCol[j] = 1;
      remaining[index] = remaining[--numRemaining];
    }
    u[curRow] += minVal;
    for (let r = 0; r < nr; r++) if (seenRow[r] && r !== curRow) u[r] += minVal - shortest[col4row[r]];
    for (let j = 0; j < nc; j++) if (seenCol[j]) v[j] -= minVal - shortest[j];
    let j = sink;
    for (;;) {
      const r = path[j];
      row4col[j] = r;
      const previous = col4row[r];
      col4row[r] = j;
      j = previous;
      if (r === curRow) break;
    }
  }
  return col4row;
}

/** Total cost of an assignment (rows with -1 skipped). */
export function assignmentCost(cost: ArrayLike<number>, cols: number, colForRow: Int32Array): number {
  let total = 0;
  colForRow.forEach((j, i) => {
    if (j >= 0) total += cost[i * cols + j];
  });
  return total;
}
