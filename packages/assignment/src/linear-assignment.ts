import { assignmentScans, type AssignmentScans } from './assignment-scans';

/**
 * Linear sum assignment by shortest augmenting paths (the Jonker–Volgenant family, in the
 * rectangular form of Crouse 2016), exact for dense real costs.
 *
 * `cost` is row-major `rows × cols`. Returns `colForRow`: for every row i, the column assigned to
 * it, or -1 for rows left unassigned when rows > cols.
 *
 * @param cost the costs, row-major rows × cols (+∞ forbids a pair)
 * @param rows the number of rows
 * @param cols the number of columns
 * @param options `maximize` for the largest total; a `workspace` to reuse between solves
 * @returns for every row, its column, or −1 for rows left unassigned when rows > cols
 * @example
 * ```ts
 * import { linearSumAssignment } from '@weightspace/assignment';
 * const cost = [4, 1, 3, 2, 0, 5, 3, 2, 2];
 * console.log(linearSumAssignment(cost, 3, 3)); // Int32Array [1, 0, 2]: total 1 + 2 + 2 = 5
 * ```
 */
export function linearSumAssignment(
  cost: ArrayLike<number>,
  rows: number,
  cols: number,
  options: { maximize?: boolean; workspace?: AssignmentWorkspace } = {},
): Int32Array {
  return solveAssignment(cost, rows, cols, options).colForRow;
}

/**
 * The dual state of a solved problem, to warm-start the next solve of a problem of the same
 * shape and sense whose costs changed a little (weight matching solves such a sequence).
 */
export interface AssignmentWarmStart {
  readonly colDuals: Float64Array;
  readonly colForRow: Int32Array;
}

/** The result of `solveAssignment`: each row's column, and the duals to warm-start the next solve. */
export interface AssignmentSolution {
  colForRow: Int32Array;
  /** Pass to the next call as `warmStart`. */
  warmStart: AssignmentWarmStart;
}

/**
 * The solver behind `linearSumAssignment`, with warm starts. A square problem starts from column
 * duals v (cold: the column minima; warm: the previous solve's), sets each row's dual to
 * min_j (c_ij − v_j), which keeps every reduced cost non-negative, and keeps each row on its
 * previous (cold: its cheapest) column where that column is still tight and free. The rows left
 * free go through augmenting row reduction, then shortest augmenting paths. The result is
 * optimal whatever the start. A rectangular problem ignores the warm start and starts from
 * v = 0.
 *
 * @param cost the costs, row-major rows × cols
 * @param rows the number of rows
 * @param cols the number of columns
 * @param options `maximize`; a `warmStart` from the previous solve; a `workspace` to reuse
 * @returns each row's column and the dual state to warm-start the next solve
 * @example
 * ```ts
 * import { AssignmentWorkspace, solveAssignment } from '@weightspace/assignment';
 * const workspace = new AssignmentWorkspace();
 * const first = solveAssignment([4, 1, 3, 2, 0, 5, 3, 2, 2], 3, 3, { workspace });
 * // A nearby problem starts from the first one's duals.
 * const next = solveAssignment([4, 1, 3, 2, 0.5, 5, 3, 2, 2], 3, 3, { workspace, warmStart: first.warmStart });
 * console.log(next.colForRow);
 * ```
 */
export function solveAssignment(
  cost: ArrayLike<number>,
  rows: number,
  cols: number,
  options: { maximize?: boolean; warmStart?: AssignmentWarmStart; workspace?: AssignmentWorkspace } = {},
): AssignmentSolution {
  if (cost.length !== rows * cols) throw new Error(`cost has ${cost.length} entries, expected ${rows}×${cols}`);
  const transposed = rows > cols;
  const nr = transposed ? cols : rows;
  const nc = transposed ? rows : cols;
  const work = options.workspace ?? new AssignmentWorkspace();
  work.layOut(nr, nc);
  const c = work.cost;
  const maximize = options.maximize ?? false;
  if (!transposed) {
    c.set(cost);
    if (work.scans.prepare(work.costAt, nr * nc, maximize ? 1 : 0)) throwOnInvalid(cost, cols, maximize);
  } else {
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) c[j * nc + i] = sign * cost[i * cols + j];
    if (work.scans.prepare(work.costAt, nr * nc, 0)) throwOnInvalid(cost, cols, maximize);
  }
  const warm = options.warmStart;
  const usable = warm !== undefined && warm.colDuals.length === nc && warm.colForRow.length === nr;
  const col4row = solveShortestPaths(work, usable ? warm : undefined);
  // Copied out: the workspace's memory is reused by the next solve.
  const warmStart = { colDuals: Float64Array.from(work.v), colForRow: Int32Array.from(col4row) };
  if (!transposed) return { colForRow: col4row, warmStart };
  const out = new Int32Array(rows).fill(-1);
  for (let i = 0; i < nr; i++) out[col4row[i]] = i;
  return { colForRow: out, warmStart };
}

/**
 * Names the first entry that makes the problem invalid: NaN, or the infinity that would make the
 * optimum unbounded (−∞ when minimising, +∞ when maximising; the other infinity forbids a pair).
 */
function throwOnInvalid(cost: ArrayLike<number>, cols: number, maximize: boolean): never {
  const unbounded = maximize ? Infinity : -Infinity;
  for (let k = 0; k < cost.length; k++) {
    const at = `cost[${Math.floor(k / cols)}][${k % cols}]`;
    if (Number.isNaN(cost[k])) throw new Error(`${at} is NaN`);
    if (cost[k] === unbounded)
      throw new Error(`${at} is ${cost[k]}: ${maximize ? 'maximising' : 'minimising'} the total is unbounded`);
  }
  throw new Error('cost has an invalid entry');
}

/**
 * The memory an assignment solve works in: the minimising cost matrix (nr × nc, float64), the
 * column duals v, and per Dijkstra search the shortest distances, the row each column was reached
 * from, a mask of assigned columns (0, or +∞ once a row holds the column) and a count of
 * unfinished columns per block of 16, all in one
 * WebAssembly memory that the scans read. Pass one to consecutive solves (`options.workspace`)
 * to reuse its memory: a fresh 512 × 512 problem spends ~1.7 ms just touching new pages.
 */
export class AssignmentWorkspace {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  /** @internal */
  readonly scans: AssignmentScans = assignmentScans(this.memory);
  /** @internal */
  nr = 0;
  /** @internal */
  nc = 0;
  /** @internal */
  cost = new Float64Array(0);
  /** @internal */
  v = new Float64Array(0);
  /** @internal */
  shortest = new Float64Array(0);
  /** @internal */
  path = new Float64Array(0);
  /** @internal */
  taken = new Float64Array(0);
  /** @internal Unfinished columns per whole block of 16 (the relax scan skips blocks at 0). */
  active = new Int32Array(0);
  /** @internal Free columns per whole block of 16 (the relax scan tracks free ones only in blocks above 0). */
  free = new Int32Array(0);
  /** @internal The two least reduced costs of a row, per lane (see AssignmentScans.rowMin2). */
  top = new Float64Array(0);
  /** @internal A relax step's least distance, least free distance, and the blocks holding them. */
  nearest = new Float64Array(0);
  /** @internal */
  readonly topAt = 0;
  /** @internal */
  readonly nearestAt = 64;
  /** @internal */
  readonly costAt = 96;
  /** @internal */
  vAt = 0;
  /** @internal */
  shortestAt = 0;
  /** @internal */
  pathAt = 0;
  /** @internal */
  takenAt = 0;
  /** @internal */
  activeAt = 0;
  /** @internal */
  freeAt = 0;

  /** @internal Lays out a problem of nr × nc, growing the memory if needed. */
  layOut(nr: number, nc: number): void {
    const blocks = Math.floor(nc / 16);
    const bytes = this.costAt + (nr * nc + 4 * nc) * 8 + blocks * 8;
    const pages = Math.ceil(bytes / 65536) - this.memory.buffer.byteLength / 65536;
    if (pages > 0) this.memory.grow(pages);
    const buffer = this.memory.buffer;
    this.nr = nr;
    this.nc = nc;
    this.top = new Float64Array(buffer, this.topAt, 8);
    this.nearest = new Float64Array(buffer, this.nearestAt, 4);
    this.cost = new Float64Array(buffer, this.costAt, nr * nc);
    this.vAt = this.costAt + nr * nc * 8;
    this.shortestAt = this.vAt + nc * 8;
    this.pathAt = this.shortestAt + nc * 8;
    this.takenAt = this.pathAt + nc * 8;
    this.activeAt = this.takenAt + nc * 8;
    this.v = new Float64Array(buffer, this.vAt, nc);
    this.shortest = new Float64Array(buffer, this.shortestAt, nc);
    this.path = new Float64Array(buffer, this.pathAt, nc);
    this.taken = new Float64Array(buffer, this.takenAt, nc);
    this.active = new Int32Array(buffer, this.activeAt, blocks);
    this.freeAt = this.activeAt + blocks * 4;
    this.free = new Int32Array(buffer, this.freeAt, blocks);
  }

  /** @internal */
  rowAt(i: number): number {
    return this.costAt + i * this.nc * 8;
  }
}

/** Minimising assignment for nr ≤ nc from a feasible start; returns each row's column (the column duals stay in `work.v`). */
function solveShortestPaths(work: AssignmentWorkspace, warm?: AssignmentWarmStart): Int32Array {
  const { nr, nc, scans, cost, v, shortest, path } = work;
  const u = new Float64Array(nr);
  const col4row = new Int32Array(nr).fill(-1);
  const row4col = new Int32Array(nc).fill(-1);

  // Column duals to start from. A rectangular problem (nr < nc) stays optimal only if every
  // column left unassigned keeps the largest dual, so it starts from v = 0 as Crouse's does;
  // a square one may start from any v.
  if (nr === nc && warm) {
    v.set(warm.colDuals);
  } else if (nr === nc) {
    v.fill(Infinity);
    for (let i = 0; i < nr; i++) scans.columnMin(work.rowAt(i), work.vAt, nc);
  } else {
    // A reused workspace holds the last solve's values here, not zeros.
    v.fill(0);
  }
  // Each row takes its previous (warm) or a cheapest free column where that column is tight.
  const { taken } = work;
  taken.fill(0);
  for (let i = 0; i < nr; i++) {
    const best = scans.rowMin(work.rowAt(i), work.vAt, nc);
    u[i] = best;
    let preferred = warm && nr === nc ? warm.colForRow[i] : -1;
    if (preferred >= 0 && (row4col[preferred] !== -1 || cost[i * nc + preferred] - v[preferred] !== best))
      preferred = -1;
    if (preferred === -1 && best < Infinity)
      preferred = scans.rowIndexOf(work.rowAt(i), work.vAt, work.takenAt, nc, 0, best);
    if (preferred >= 0) {
      col4row[i] = preferred;
      row4col[preferred] = i;
      taken[preferred] = Infinity;
    }
  }

  // Row reduction pays off from a warm start only (weight matching's warm starts leave 100–460
  // of 512 rows free). Measured, minima of 5: 40 warm solves of a slowly drifting 512 × 512
  // problem 87 ms with 2n scans per pass, 98 ms without; cold uniform costs n = 1024 10.7 ms
  // without, 13.6 ms with 4n, since the greedy start above already prefers free tied columns.
  if (nr === nc && warm) augmentingRowReduction(work, u, col4row, row4col, 2 * nr);

  const { active, free } = work;
  // Row reduction moved columns between rows: mark the assigned ones again, and count the free
  // ones per block (a column once assigned stays assigned).
  free.fill(0);
  for (let j = 0; j < nc; j++) {
    taken[j] = row4col[j] === -1 ? 0 : Infinity;
    if (row4col[j] === -1 && j >> 4 < free.length) free[j >> 4]++;
  }
  // Per search: the rows reached (after curRow) with the distance of the column they were
  // reached through, and the finished columns with their distance and dual. A finished column
  // is encoded for the scans as shortest = +∞ and v = −∞; its dual is restored after.
  const seenRows = new Int32Array(nr);
  const seenDistance = new Float64Array(nr);
  const finishedColumns = new Int32Array(nc);
  const finishedDistance = new Float64Array(nc);
  const finishedDual = new Float64Array(nc);
  for (let curRow = 0; curRow < nr; curRow++) {
    if (col4row[curRow] !== -1) continue;
    // Dijkstra over columns on reduced costs, from row curRow to the nearest free column.
    let minVal = 0;
    let i = curRow;
    let seenCount = 0;
    let finishedCount = 0;
    shortest.fill(Infinity);
    active.fill(16);
    let sink = -1;
    while (sink === -1) {
      const j = relaxFrom(work, i, minVal - u[i]);
      if (j === -1) throw new Error('cost matrix admits no finite assignment');
      minVal = shortest[j];
      finishedColumns[finishedCount] = j;
      finishedDistance[finishedCount] = minVal;
      finishedDual[finishedCount++] = v[j];
      shortest[j] = Infinity;
      v[j] = -Infinity;
      if (j >> 4 < active.length) active[j >> 4]--;
      if (row4col[j] === -1) {
        sink = j;
      } else {
        i = row4col[j];
        seenRows[seenCount] = i;
        seenDistance[seenCount++] = minVal;
      }
    }
    taken[sink] = Infinity;
    if (sink >> 4 < free.length) free[sink >> 4]--;
    u[curRow] += minVal;
    for (let k = 0; k < seenCount; k++) u[seenRows[k]] += minVal - seenDistance[k];
    for (let k = 0; k < finishedCount; k++) v[finishedColumns[k]] = finishedDual[k] - (minVal - finishedDistance[k]);
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

/**
 * One Dijkstra step from row i (distances offset + reduced cost): relaxes the unfinished columns
 * and returns the nearest one, a free one where several are nearest (that ends the search), or
 * −1 when none is reachable. The scan covers the whole blocks of 16 and reports the first block
 * holding the least; the column is looked up in it. The last nc mod 16 columns are relaxed here.
 */
function relaxFrom(work: AssignmentWorkspace, i: number, offset: number): number {
  const { nc, cost, v, shortest, path, taken, active, nearest } = work;
  const blocks = active.length;
  work.scans.relax(
    work.rowAt(i),
    work.vAt,
    work.shortestAt,
    work.pathAt,
    work.takenAt,
    work.activeAt,
    work.freeAt,
    blocks,
    offset,
    i,
    work.nearestAt,
  );
  let least = nearest[0];
  let leastFree = nearest[1];
  // Where the least (free) distance is: a block (≥ 0), or ~column for a column past the blocks.
  let at = nearest[2];
  let freeAt = nearest[3];
  const base = i * nc;
  for (let j = blocks * 16; j < nc; j++) {
    const d = offset + cost[base + j] - v[j];
    if (d < shortest[j]) {
      shortest[j] = d;
      path[j] = i;
    }
    if (shortest[j] < least) {
      least = shortest[j];
      at = ~j;
    }
    if (shortest[j] + taken[j] < leastFree) {
      leastFree = shortest[j] + taken[j];
      freeAt = ~j;
    }
  }
  if (least === Infinity) return -1;
  const free = leastFree === least;
  const where = free ? freeAt : at;
  if (where < 0) return ~where;
  for (let j = 16 * where; ; j++) if (shortest[j] + (free ? taken[j] : 0) === least) return j;
}

/** Total cost of an assignment (rows with -1 skipped). */
export function assignmentCost(cost: ArrayLike<number>, cols: number, colForRow: Int32Array): number {
  let total = 0;
  colForRow.forEach((j, i) => {
    if (j >= 0) total += cost[i * cols + j];
  });
  return total;
}

/**
 * Augmenting row reduction (Jonker & Volgenant 1987), for square problems: each free row takes
 * its cheapest column at reduced cost, lowering that column's dual until the row's second choice
 * is as cheap, and the column's previous row becomes free in turn. Reduced costs stay
 * non-negative and assigned edges tight, so the shortest-path phase that follows stays exact; it
 * only has fewer rows left to augment. Two passes, each bounded to `scansPerPass` row scans: on
 * uniform random costs the original's longer passes mostly shuffle rows between near-equal
 * columns, and the shortest-path phase finishes the last few rows for less.
 */
function augmentingRowReduction(
  work: AssignmentWorkspace,
  u: Float64Array,
  col4row: Int32Array,
  row4col: Int32Array,
  scansPerPass: number,
): void {
  const { nr: n, scans, cost, v } = work;
  const least = new Float64Array(4);
  let free: number[] = [];
  for (let i = 0; i < n; i++) if (col4row[i] === -1) free.push(i);
  for (let pass = 0; pass < 2 && free.length > 0; pass++) {
    const next: number[] = [];
    let k = 0;
    let budget = scansPerPass;
    while (k < free.length && budget-- > 0) {
      const i = free[k++];
      leastTwo(work, i, least);
      const [u1, u2, j2] = [least[0], least[1], least[3]];
      let j1 = least[2];
      let owner = row4col[j1];
      if (u1 < u2) {
        v[j1] -= u2 - u1;
      } else if (owner >= 0 && j2 >= 0) {
        j1 = j2;
        owner = row4col[j1];
      }
      u[i] = j2 >= 0 ? u2 : u1;
      if (j2 < 0) v[j1] = cost[i * n + j1] - u[i];
      if (owner >= 0) {
        col4row[owner] = -1;
        if (u1 < u2) free[--k] = owner;
        else next.push(owner);
      }
      col4row[i] = j1;
      row4col[j1] = i;
    }
    for (; k < free.length; k++) next.push(free[k]);
    free = next;
  }
  // Rows kicked out keep valid duals: recompute them as their cheapest reduced cost.
  for (const i of free) if (col4row[i] === -1) u[i] = scans.rowMin(work.rowAt(i), work.vAt, n);
}

/**
 * The two least reduced costs c[i][j] − v[j] of row i and their columns, into
 * out = [least, second, column, secondColumn] (+∞ and −1 where the row has no such entry): the
 * SIMD scan's per-lane candidates merged, then the entries past its last whole block of four.
 */
function leastTwo(work: AssignmentWorkspace, i: number, out: Float64Array): void {
  const { nc: n, cost, v, top } = work;
  work.scans.rowMin2(work.rowAt(i), work.vAt, n, work.topAt);
  // top: least (lanes 0, 1), column (2, 3), second (4, 5), secondColumn (6, 7).
  const lane1 = top[1] < top[0] ? 1 : 0;
  let u1 = top[lane1];
  let j1 = top[2 + lane1];
  // The second least: the other lane's least or this lane's second.
  const other = 1 - lane1;
  const otherFirst = top[other] < top[4 + lane1];
  let u2 = otherFirst ? top[other] : top[4 + lane1];
  let j2 = otherFirst ? top[2 + other] : top[6 + lane1];
  const base = i * n;
  for (let j = n - (n % 4); j < n; j++) {
    const r = cost[base + j] - v[j];
    if (r < u1) {
      u2 = u1;
      j2 = j1;
      u1 = r;
      j1 = j;
    } else if (r < u2) {
      u2 = r;
      j2 = j;
    }
  }
  out[0] = u1;
  out[1] = u2;
  out[2] = j1;
  out[3] = j2;
}
