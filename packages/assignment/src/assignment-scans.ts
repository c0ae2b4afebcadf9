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
  /** The first j ≥ start with c[j] − v[j] == value, or −1. */
  rowIndexOf(row: number, v: number, n: number, start: number, value: number): number;
  /** v[j] = min(v[j], c[j]): column minima, a row at a time. */
  columnMin(row: number, v: number, n: number): void;
  /**
   * One Dijkstra step from row `rowIndex`: for every column not yet finished (mask 0; finished
   * columns have mask +∞), d = offset + c[j] − v[j]; where d < shortest[j], shortest[j] = d and
   * path[j] = rowIndex. Returns the least shortest[j] over unfinished columns.
   */
  relax(
    row: number,
    v: number,
    shortest: number,
    path: number,
    mask: number,
    n: number,
    offset: number,
    rowIndex: number,
  ): number;
  /** The first j ≥ start with a[j] + b[j] == value, or −1. */
  sumIndexOf(a: number, b: number, n: number, start: number, value: number): number;
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
  const [row, v, n, start, value] = [0, 1, 2, 3, 4];
  return indexOf(
    'rowIndexOf',
    [i32, i32, i32, i32, f64],
    [row, v],
    start,
    n,
    value,
    () => [op.get(row), op.v128Load(), op.get(v), op.v128Load(), op.f64x2Sub()],
    [op.get(row), op.f64Load(), op.get(v), op.f64Load(), op.f64Sub()],
  );
}

function sumIndexOf(): FunctionSpec {
  const [a, b, n, start, value] = [0, 1, 2, 3, 4];
  return indexOf(
    'sumIndexOf',
    [i32, i32, i32, i32, f64],
    [a, b],
    start,
    n,
    value,
    () => [op.get(a), op.v128Load(), op.get(b), op.v128Load(), op.f64x2Add()],
    [op.get(a), op.f64Load(), op.get(b), op.f64Load(), op.f64Add()],
  );
}

function relax(): FunctionSpec {
  const [row, v, shortest, path, mask, n, offset, rowIndex] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [j, offsets, rows, lowest0, lowest1, d, better, m, tail] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
  const cursors = [row, v, shortest, path, mask];
  // d = offset + c − v + mask; better = d < shortest; shortest, path = better ? (d, row) : kept;
  // lowest = pmin(lowest, shortest + mask).
  const pair = (at: number, lowest: number): Code => [
    op.get(offsets),
    op.get(row),
    op.v128Load(at),
    op.f64x2Add(),
    op.get(v),
    op.v128Load(at),
    op.f64x2Sub(),
    op.get(mask),
    op.v128Load(at),
    op.f64x2Add(),
    op.tee(d),
    op.get(shortest),
    op.v128Load(at),
    op.f64x2Lt(),
    op.set(better),
    op.get(shortest),
    op.get(d),
    op.get(shortest),
    op.v128Load(at),
    op.get(better),
    op.v128Bitselect(),
    op.tee(d),
    op.v128Store(at),
    op.get(path),
    op.get(rows),
    op.get(path),
    op.v128Load(at),
    op.get(better),
    op.v128Bitselect(),
    op.v128Store(at),
    op.get(lowest),
    op.get(d),
    op.get(mask),
    op.v128Load(at),
    op.f64x2Add(),
    op.f64x2Pmin(),
    op.set(lowest),
  ];
  const scalar: Code = [
    op.get(offset),
    op.get(row),
    op.f64Load(),
    op.f64Add(),
    op.get(v),
    op.f64Load(),
    op.f64Sub(),
    op.get(mask),
    op.f64Load(),
    op.f64Add(),
    op.tee(m),
    op.get(shortest),
    op.f64Load(),
    op.f64Lt(),
    op.if(),
    op.get(shortest),
    op.get(m),
    op.f64Store(),
    op.get(path),
    op.get(rowIndex),
    op.f64Store(),
    op.end(),
    op.get(shortest),
    op.f64Load(),
    op.get(mask),
    op.f64Load(),
    op.f64Add(),
    op.tee(m),
    op.get(tail),
    op.f64Lt(),
    op.if(),
    op.get(m),
    op.set(tail),
    op.end(),
  ];
  return {
    name: 'relax',
    parameters: [i32, i32, i32, i32, i32, i32, f64, f64],
    result: f64,
    locals: [i32, v128, v128, v128, v128, v128, v128, f64, f64],
    body: [
      infinity(),
      op.set(tail),
      op.get(offset),
      op.f64x2Splat(),
      op.set(offsets),
      op.get(rowIndex),
      op.f64x2Splat(),
      op.set(rows),
      infinity(),
      op.f64x2Splat(),
      op.tee(lowest0),
      op.set(lowest1),
      fourThenOne(j, n, [pair(0, lowest0), pair(16, lowest1)], scalar, cursors, 8),
      op.get(lowest0),
      op.get(lowest1),
      op.f64x2Pmin(),
      op.tee(lowest0),
      op.f64x2ExtractLane(0),
      op.get(lowest0),
      op.f64x2ExtractLane(1),
      op.f64Min(),
      op.get(tail),
      op.f64Min(),
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

const MODULE_BYTES = encodeModule([rowMin(), rowMin2(), rowIndexOf(), columnMin(), relax(), sumIndexOf(), prepare()]);

/** Compiled once per process: the module is a pure function of the code above. */
const compiled = new WebAssembly.Module(MODULE_BYTES);

/** The scans over `memory`, which must hold every array they are given. */
export function assignmentScans(memory: WebAssembly.Memory): AssignmentScans {
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as AssignmentScans;
}
