import {
  advance,
  fourThenOne,
  whileFourRemain,
  type Code,
  encodeModule,
  f64Type,
  type FunctionSpec,
  i32Type,
  op,
  v128Type,
  type ValueType,
} from '@weightspace/wasm-encoder';

/**
 * The row-wide scans of the assignment solver, as WebAssembly SIMD over float64 (two lanes, two
 * accumulators): 3–6× faster than the same loops in JavaScript, which spend ~3 ns per entry.
 * Everything else in the solver (the augmenting-path bookkeeping, O(n) per step) stays in
 * JavaScript, on typed-array views of the same memory. All addresses are byte addresses of
 * float64 arrays.
 */
export interface AssignmentScans {
  /** min_j (c[j] − v[j]) over the n entries of the row at `row`. */
  rowMin(row: number, v: number, n: number): number;
  /**
   * The two least c[j] − v[j] per SIMD lane over the first ⌊n/4⌋·4 entries, with their columns:
   * writes [least, column, second, column] as float64 pairs (lane 0, lane 1) at `out` (64 bytes).
   * A lane that saw fewer than two entries reports +∞ and column −1.
   */
  rowMin2(row: number, v: number, n: number, out: number): void;
  /**
   * The first j ≥ start with c[j] − v[j] + mask[j] == value, or −1: with a mask of 0 and +∞
   * entries, the first unmasked column where the reduced cost is `value`.
   */
  rowIndexOf(row: number, v: number, mask: number, n: number, start: number, value: number): number;
  /** v[j] = min(v[j], c[j]): column minima, a row at a time. */
  columnMin(row: number, v: number, n: number): void;
  /**
   * One Dijkstra step from row `rowIndex` over the whole blocks of 16 columns (the first
   * 16·`blocks`), skipping each block whose i32 count at `active` (one per block) is 0, and
   * leaving out of the least free distance each block whose i32 count at `free` is 0: for every
   * column, d = offset + c[j] − v[j]; where d < shortest[j], shortest[j] = d and
   * path[j] = rowIndex. Finished columns are excluded by the caller's encoding: v = −∞ (d = +∞)
   * and shortest = +∞. Writes at `out` four float64: the least shortest[j], the least
   * shortest[j] + taken[j] (taken: 0 for a free column, +∞ for an assigned one), and the first
   * block holding each (−1 where none is finite).
   */
  relax(
    row: number,
    v: number,
    shortest: number,
    path: number,
    taken: number,
    active: number,
    free: number,
    blocks: number,
    offset: number,
    rowIndex: number,
    out: number,
  ): void;
  /** Negates the n entries at `values` when `negate` is 1; returns 1 when any of them is then NaN or −∞, else 0. */
  prepare(values: number, n: number, negate: number): number;
}

const i32 = i32Type;
const f64 = f64Type;
const v128 = v128Type;

const infinity = (): Code => op.f64Const(Infinity);

function rowMin(): FunctionSpec {
  const [row, v, n, j, m0, m1, m, tail] = [0, 1, 2, 3, 4, 5, 6, 7];
  const pair = (at: number, acc: number): Code => [
    op.get(acc),
    op.get(row),
    op.v128Load(at),
    op.get(v),
    op.v128Load(at),
    op.f64x2Sub(),
    op.f64x2Pmin(),
    op.set(acc),
  ];
  return {
    name: 'rowMin',
    parameters: [i32, i32, i32],
    result: f64,
    locals: [i32, v128, v128, f64, f64],
    body: [
      infinity(),
      op.f64x2Splat(),
      op.tee(m0),
      op.set(m1),
      infinity(),
      op.set(tail),
      fourThenOne(
        j,
        n,
        [pair(0, m0), pair(16, m1)],
        [
          op.get(row),
          op.f64Load(),
          op.get(v),
          op.f64Load(),
          op.f64Sub(),
          op.tee(m),
          op.get(tail),
          op.f64Lt(),
          op.if(),
          op.get(m),
          op.set(tail),
          op.end(),
        ],
        [row, v],
        8,
      ),
      op.get(m0),
      op.get(m1),
      op.f64x2Pmin(),
      op.tee(m0),
      op.f64x2ExtractLane(0),
      op.get(m0),
      op.f64x2ExtractLane(1),
      op.f64Min(),
      op.get(tail),
      op.f64Min(),
    ],
  };
}

function rowMin2(): FunctionSpec {
  const [row, v, n, out, j, index0, index1, step] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [least0, column0, second0, secondColumn0, least1, column1, second1, secondColumn1, r, lt1, lt2] = [
    8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
  ];
  /** Inserts candidates (r, index) into the top two (least, column, second, secondColumn), keeping earlier ones on ties. */
  const insert = (
    value: Code,
    index: Code,
    least: number,
    column: number,
    second: number,
    secondColumn: number,
  ): Code => [
    value,
    op.tee(r),
    op.get(least),
    op.f64x2Lt(),
    op.set(lt1),
    op.get(r),
    op.get(second),
    op.f64x2Lt(),
    op.set(lt2),
    op.get(least),
    op.get(r),
    op.get(second),
    op.get(lt2),
    op.v128Bitselect(),
    op.get(lt1),
    op.v128Bitselect(),
    op.set(second),
    op.get(column),
    index,
    op.get(secondColumn),
    op.get(lt2),
    op.v128Bitselect(),
    op.get(lt1),
    op.v128Bitselect(),
    op.set(secondColumn),
    op.get(r),
    op.get(least),
    op.get(lt1),
    op.v128Bitselect(),
    op.set(least),
    index,
    op.get(column),
    op.get(lt1),
    op.v128Bitselect(),
    op.set(column),
  ];
  const reduced = (at: number): Code => [op.get(row), op.v128Load(at), op.get(v), op.v128Load(at), op.f64x2Sub()];
  const none = (): Code => [infinity(), op.f64x2Splat()];
  const noColumn = (): Code => [op.f64Const(-1), op.f64x2Splat()];
  return {
    name: 'rowMin2',
    parameters: [i32, i32, i32, i32],
    locals: [i32, v128, v128, v128, v128, v128, v128, v128, v128, v128, v128, v128, v128, v128, v128],
    body: [
      none(),
      op.tee(least0),
      op.tee(second0),
      op.tee(least1),
      op.set(second1),
      noColumn(),
      op.tee(column0),
      op.tee(secondColumn0),
      op.tee(column1),
      op.set(secondColumn1),
      op.f64Const(0),
      op.f64x2Splat(),
      op.f64Const(1),
      [0xfd, 0x22, 1] /* f64x2.replace_lane 1 */,
      op.tee(index0),
      op.f64Const(2),
      op.f64x2Splat(),
      op.f64x2Add(),
      op.set(index1),
      op.f64Const(4),
      op.f64x2Splat(),
      op.set(step),
      whileFourRemain(
        j,
        n,
        [
          insert(reduced(0), op.get(index0), least0, column0, second0, secondColumn0),
          insert(reduced(16), op.get(index1), least1, column1, second1, secondColumn1),
          [op.get(index0), op.get(step), op.f64x2Add(), op.set(index0)],
          [op.get(index1), op.get(step), op.f64x2Add(), op.set(index1)],
        ],
        [row, v],
        8,
      ),
      // Fold the second accumulator's candidates into the first.
      insert(op.get(least1), op.get(column1), least0, column0, second0, secondColumn0),
      insert(op.get(second1), op.get(secondColumn1), least0, column0, second0, secondColumn0),
      op.get(out),
      op.get(least0),
      op.v128Store(0),
      op.get(out),
      op.get(column0),
      op.v128Store(16),
      op.get(out),
      op.get(second0),
      op.v128Store(32),
      op.get(out),
      op.get(secondColumn0),
      op.v128Store(48),
    ],
  };
}

function columnMin(): FunctionSpec {
  const [row, v, n, j] = [0, 1, 2, 3];
  const pair = (at: number): Code => [
    op.get(v),
    op.get(row),
    op.v128Load(at),
    op.get(v),
    op.v128Load(at),
    op.f64x2Pmin(),
    op.v128Store(at),
  ];
  return {
    name: 'columnMin',
    parameters: [i32, i32, i32],
    locals: [i32],
    body: fourThenOne(
      j,
      n,
      [pair(0), pair(16)],
      [
        op.get(row),
        op.f64Load(),
        op.get(v),
        op.f64Load(),
        op.f64Lt(),
        op.if(),
        op.get(v),
        op.get(row),
        op.f64Load(),
        op.f64Store(),
        op.end(),
      ],
      [row, v],
      8,
    ),
  };
}

/** First j ≥ start where `entry(j)` == value: pairs tested with one SIMD comparison, then lanes. */
function indexOf(
  name: string,
  parameters: ValueType[],
  cursors: number[],
  start: number,
  n: number,
  value: number,
  pairAt: (cursorOffset: number) => Code,
  scalarAt: Code,
): FunctionSpec {
  const j = parameters.length;
  const target = j + 1;
  const skip = (count: Code): Code => cursors.map((c) => [op.get(c), count, op.i32(3), op.shl(), op.add(), op.set(c)]);
  return {
    name,
    parameters,
    result: i32,
    locals: [i32, v128],
    body: [
      op.get(value),
      op.f64x2Splat(),
      op.set(target),
      skip(op.get(start)),
      op.get(start),
      op.set(j),
      op.block(),
      op.loop(),
      op.get(j),
      op.i32(2),
      op.add(),
      op.get(n),
      op.gtS(),
      op.brIf(1),
      pairAt(0),
      op.get(target),
      op.f64x2Eq(),
      op.v128AnyTrue(),
      op.if(),
      scalarAt,
      op.get(value),
      op.f64Eq(),
      op.if(),
      op.get(j),
      op.return(),
      op.end(),
      op.get(j),
      op.i32(1),
      op.add(),
      op.return(),
      op.end(),
      advance(cursors, 16),
      op.get(j),
      op.i32(2),
      op.add(),
      op.set(j),
      op.br(0),
      op.end(),
      op.end(),
      op.get(j),
      op.get(n),
      op.ltS(),
      op.if(),
      scalarAt,
      op.get(value),
      op.f64Eq(),
      op.if(),
      op.get(j),
      op.return(),
      op.end(),
      op.end(),
      op.i32(-1),
    ],
  };
}

function rowIndexOf(): FunctionSpec {
  const [row, v, mask, n, start, value] = [0, 1, 2, 3, 4, 5];
  return indexOf(
    'rowIndexOf',
    [i32, i32, i32, i32, i32, f64],
    [row, v, mask],
    start,
    n,
    value,
    () => [
      op.get(row),
      op.v128Load(),
      op.get(v),
      op.v128Load(),
      op.f64x2Sub(),
      op.get(mask),
      op.v128Load(),
      op.f64x2Add(),
    ],
    [op.get(row), op.f64Load(), op.get(v), op.f64Load(), op.f64Sub(), op.get(mask), op.f64Load(), op.f64Add()],
  );
}

function relax(): FunctionSpec {
  const [row, v, shortest, path, taken, active, free, blocks, offset, rowIndex, out] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ];
  const [b, leastBlock, freeBlock] = [11, 12, 13];
  const [offsets, rows, d, better, both, old] = [14, 15, 16, 17, 18, 19];
  // Two accumulators per block, each the least distance and the least distance over free columns.
  const accumulators = [
    [20, 21],
    [22, 23],
  ];
  const [least, leastFree, blockLeast] = [24, 25, 26];
  const cursors = [row, v, shortest, path, taken];
  const splat = (value: number): Code => [op.f64Const(value), op.f64x2Splat()];
  /** Columns 2k, 2k + 1 of the block; the least over free columns is kept only in blocks that have one. */
  const pair = (k: number, withFree: boolean): Code => {
    const at = 16 * k;
    const [blockAll, blockFree] = accumulators[k % 2];
    return [
      // d = offset + c − v (finished columns have v = −∞: d = +∞, never better).
      [
        op.get(offsets),
        op.get(row),
        op.v128Load(at),
        op.f64x2Add(),
        op.get(v),
        op.v128Load(at),
        op.f64x2Sub(),
        op.tee(d),
      ],
      [op.get(shortest), op.v128Load(at), op.tee(old), op.f64x2Lt(), op.set(better)],
      // shortest = min(shortest, d): pmin(old, d) takes d only where d < old.
      [op.get(shortest), op.get(old), op.get(d), op.f64x2Pmin(), op.tee(d), op.v128Store(at)],
      [op.get(path), op.get(rows), op.get(path), op.v128Load(at), op.get(better), op.v128Bitselect(), op.v128Store(at)],
      [op.get(blockAll), op.get(d), op.f64x2Pmin(), op.set(blockAll)],
      withFree
        ? [
            op.get(blockFree),
            op.get(d),
            op.get(taken),
            op.v128Load(at),
            op.f64x2Add(),
            op.f64x2Pmin(),
            op.set(blockFree),
          ]
        : [],
    ];
  };
  /** Where this block's least (over its two accumulators and lanes) beats `best`, it becomes best, found in block b. */
  const keep = (first: number, second: number, best: number, where: number): Code => [
    [op.get(first), op.get(second), op.f64x2Pmin(), op.tee(both), op.f64x2ExtractLane(0)],
    [op.get(both), op.f64x2ExtractLane(1), op.f64Min(), op.tee(blockLeast), op.get(best), op.f64Lt(), op.if()],
    [op.get(blockLeast), op.set(best), op.get(b), op.set(where), op.end()],
  ];
  const [[all0, free0], [all1, free1]] = accumulators;
  return {
    name: 'relax',
    parameters: [i32, i32, i32, i32, i32, i32, i32, i32, f64, f64, i32],
    locals: [i32, i32, i32, ...new Array<ValueType>(10).fill(v128), f64, f64, f64],
    body: [
      [op.get(offset), op.f64x2Splat(), op.set(offsets), op.get(rowIndex), op.f64x2Splat(), op.set(rows)],
      [op.f64Const(Infinity), op.tee(least), op.set(leastFree), op.i32(-1), op.tee(leastBlock), op.set(freeBlock)],
      [op.i32(0), op.set(b), op.block(), op.loop()],
      [op.get(b), op.get(blocks), op.geU(), op.brIf(1)],
      [op.get(active), op.i32Load(), op.if()],
      accumulators.map(([all, free]) => [splat(Infinity), op.tee(all), op.set(free)]),
      [op.get(free), op.i32Load(), op.if()],
      Array.from({ length: 8 }, (_, k) => pair(k, true)),
      op.else(),
      Array.from({ length: 8 }, (_, k) => pair(k, false)),
      op.end(),
      keep(all0, all1, least, leastBlock),
      keep(free0, free1, leastFree, freeBlock),
      op.end(),
      advance(cursors, 128),
      advance([active, free], 4),
      [op.get(b), op.i32(1), op.add(), op.set(b), op.br(0), op.end(), op.end()],
      [op.get(out), op.get(least), op.f64Store(0), op.get(out), op.get(leastFree), op.f64Store(8)],
      [op.get(out), op.get(leastBlock), op.f64ConvertI32S(), op.f64Store(16)],
      [op.get(out), op.get(freeBlock), op.f64ConvertI32S(), op.f64Store(24)],
    ],
  };
}

function prepare(): FunctionSpec {
  const [values, n, negate, j, x, invalid] = [0, 1, 2, 3, 4, 5];
  // Each entry, negated first when asked: flags NaN (x ≠ x) and −∞ (an unbounded minimum).
  const pair = (at: number): Code => [
    op.get(values),
    op.v128Load(at),
    op.set(x),
    op.get(negate),
    op.if(),
    op.get(x),
    op.f64x2Neg(),
    op.set(x),
    op.get(values),
    op.get(x),
    op.v128Store(at),
    op.end(),
    op.get(x),
    op.get(x),
    op.f64x2Ne(),
    op.get(x),
    op.f64Const(-Infinity),
    op.f64x2Splat(),
    op.f64x2Eq(),
    op.v128Or(),
    op.v128AnyTrue(),
    op.get(invalid),
    op.or(),
    op.set(invalid),
  ];
  const one: Code = [
    op.get(negate),
    op.if(),
    op.get(values),
    op.get(values),
    op.f64Load(),
    op.f64Neg(),
    op.f64Store(),
    op.end(),
    op.get(values),
    op.f64Load(),
    op.get(values),
    op.f64Load(),
    op.f64Ne(),
    op.get(values),
    op.f64Load(),
    op.f64Const(-Infinity),
    op.f64Eq(),
    op.or(),
    op.get(invalid),
    op.or(),
    op.set(invalid),
  ];
  return {
    name: 'prepare',
    parameters: [i32, i32, i32],
    result: i32,
    locals: [i32, v128, i32],
    body: [op.i32(0), op.set(invalid), fourThenOne(j, n, [pair(0), pair(16)], one, [values], 8), op.get(invalid)],
  };
}

const MODULE_BYTES = encodeModule([rowMin(), rowMin2(), rowIndexOf(), columnMin(), relax(), prepare()]);

/** Compiled once per process: the module is a pure function of the code above. */
const compiled = new WebAssembly.Module(MODULE_BYTES);

/** The scans over `memory`, which must hold every array they are given. */
export function assignmentScans(memory: WebAssembly.Memory): AssignmentScans {
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as AssignmentScans;
}
