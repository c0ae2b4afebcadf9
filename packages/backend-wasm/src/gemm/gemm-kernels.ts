import { type Code, type FunctionSpec, i32Type, op, v128Type, type ValueType } from '@weightspace/wasm-encoder';

/**
 * The two WebAssembly functions of the float32 matrix multiply, C (+)= A·B, in the GotoBLAS shape:
 * operands are first packed into panels (`pack`), then a register-blocked micro-kernel (`gemm`)
 * computes TILE_ROWS × TILE_COLUMNS of C at a time from one A panel and one B panel, keeping the
 * whole tile in SIMD registers while it runs down the shared dimension.
 *
 * 4 × 8 was the fastest tile measured with V8 (8 accumulators; 5 × 8, 6 × 8 and 4 × 12 spill
 * registers and run at 60–70 % of its speed; unrolling the inner loop made V8's code slower).
 * All addresses and strides are in bytes.
 */
export const TILE_ROWS = 4;
export const TILE_COLUMNS = 8;

/**
 * pack(src, dst, rows, depth, rowStride, depthStride, width): copies the rows × depth operand
 * whose element (i, k) is at src + i·rowStride + k·depthStride into panels of `width` rows,
 * dst[panel][k][r] = element(panel·width + r, k), padding the last panel with zeros. Any layout
 * (row-major, transposed, a block of a bigger matrix) packs the same way, so transposed operands
 * cost nothing extra.
 */
export function packFunction(): FunctionSpec {
  const [src, dst, rows, depth, rowStride, depthStride, width] = [0, 1, 2, 3, 4, 5, 6];
  const [panelStart, k, r, row] = [7, 8, 9, 10];
  const body: Code = [
    op.i32(0),
    op.set(panelStart),
    op.block(),
    op.loop(),
    op.get(panelStart),
    op.get(rows),
    op.geU(),
    op.brIf(1),
    op.i32(0),
    op.set(k),
    op.block(),
    op.loop(),
    op.get(k),
    op.get(depth),
    op.geU(),
    op.brIf(1),
    op.i32(0),
    op.set(r),
    op.loop(),
    op.get(dst),
    op.get(panelStart),
    op.get(r),
    op.add(),
    op.tee(row),
    op.get(rows),
    op.ltU(),
    op.ifF32(),
    op.get(src),
    op.get(row),
    op.get(rowStride),
    op.mul(),
    op.add(),
    op.get(k),
    op.get(depthStride),
    op.mul(),
    op.add(),
    op.f32Load(),
    op.else(),
    op.f32Const(0),
    op.end(),
    op.f32Store(),
    op.get(dst),
    op.i32(4),
    op.add(),
    op.set(dst),
    op.get(r),
    op.i32(1),
    op.add(),
    op.tee(r),
    op.get(width),
    op.ltU(),
    op.brIf(0),
    op.end(),
    op.get(k),
    op.i32(1),
    op.add(),
    op.set(k),
    op.br(0),
    op.end(),
    op.end(),
    op.get(panelStart),
    op.get(width),
    op.add(),
    op.set(panelStart),
    op.br(0),
    op.end(),
    op.end(),
  ];
  return {
    name: 'pack',
    parameters: new Array<ValueType>(7).fill(i32Type),
    locals: [i32Type, i32Type, i32Type, i32Type],
    body,
  };
}

/**
 * packContiguous{width}(src, dst, panels, depth, depthStride): `pack` for whole panels whose
 * `width` elements at each depth are contiguous (rowStride 4: A transposed, B as stored), a
 * vector copy per depth.
 */
export function packContiguousFunction(width: 4 | 8): FunctionSpec {
  const [src, dst, panels, depth, depthStride, panel, k, from] = [0, 1, 2, 3, 4, 5, 6, 7];
  const copies: Code[] = [];
  for (let v = 0; v < width / 4; v++) copies.push(op.get(dst), op.get(from), op.v128Load(v * 16), op.v128Store(v * 16));
  const body: Code = [
    op.i32(0),
    op.set(panel),
    op.block(),
    op.loop(),
    op.get(panel),
    op.get(panels),
    op.geU(),
    op.brIf(1),
    op.get(src),
    op.get(panel),
    op.i32(width * 4),
    op.mul(),
    op.add(),
    op.set(from),
    op.i32(0),
    op.set(k),
    op.block(),
    op.loop(),
    op.get(k),
    op.get(depth),
    op.geU(),
    op.brIf(1),
    copies,
    op.get(dst),
    op.i32(width * 4),
    op.add(),
    op.set(dst),
    op.get(from),
    op.get(depthStride),
    op.add(),
    op.set(from),
    op.get(k),
    op.i32(1),
    op.add(),
    op.set(k),
    op.br(0),
    op.end(),
    op.end(),
    op.get(panel),
    op.i32(1),
    op.add(),
    op.set(panel),
    op.br(0),
    op.end(),
    op.end(),
  ];
  return {
    name: `packContiguous${width}`,
    parameters: new Array<ValueType>(5).fill(i32Type),
    locals: [i32Type, i32Type, i32Type],
    body,
  };
}

/**
 * packTransposing{width}(src, dst, panels, depth, rowStride): `pack` for whole panels whose rows
 * are contiguous along the depth (depthStride 4: A as stored, B transposed): 4 × 4 blocks loaded
 * a row at a time and transposed in registers, the last depth % 4 entries one by one.
 */
export function packTransposingFunction(width: 4 | 8): FunctionSpec {
  const [src, dst, panels, depth, rowStride, panel, k] = [0, 1, 2, 3, 4, 5, 6];
  const firstRow = 7; // locals 7 .. 7 + width − 1: the panel's row cursors
  const row = (r: number): number => firstRow + r;
  const [x0, x1, x2, x3, t0, t1, t2, t3] = Array.from({ length: 8 }, (_, i) => firstRow + width + i);
  const startRows: Code[] = [];
  for (let r = 0; r < width; r++)
    startRows.push(
      op.get(src),
      op.get(panel),
      op.i32(width),
      op.mul(),
      op.i32(r),
      op.add(),
      op.get(rowStride),
      op.mul(),
      op.add(),
      op.set(row(r)),
    );
  const advance = (bytes: number): Code =>
    Array.from({ length: width }, (_, r) => [op.get(row(r)), op.i32(bytes), op.add(), op.set(row(r))]);
  const blocks: Code[] = [];
  for (let g = 0; g < width / 4; g++) {
    const x = [x0, x1, x2, x3];
    for (let q = 0; q < 4; q++) blocks.push(op.get(row(g * 4 + q)), op.v128Load(), op.set(x[q]));
    // Rows q hold (k, k+1, k+2, k+3); out[d] = (x0[d], x1[d], x2[d], x3[d]).
    blocks.push(
      op.get(x0),
      op.get(x1),
      op.shuffle32([0, 4, 1, 5]),
      op.set(t0),
      op.get(x2),
      op.get(x3),
      op.shuffle32([0, 4, 1, 5]),
      op.set(t1),
      op.get(x0),
      op.get(x1),
      op.shuffle32([2, 6, 3, 7]),
      op.set(t2),
      op.get(x2),
      op.get(x3),
      op.shuffle32([2, 6, 3, 7]),
      op.set(t3),
      op.get(dst),
      op.get(t0),
      op.get(t1),
      op.shuffle32([0, 1, 4, 5]),
      op.v128Store((0 * width + g * 4) * 4),
      op.get(dst),
      op.get(t0),
      op.get(t1),
      op.shuffle32([2, 3, 6, 7]),
      op.v128Store((1 * width + g * 4) * 4),
      op.get(dst),
      op.get(t2),
      op.get(t3),
      op.shuffle32([0, 1, 4, 5]),
      op.v128Store((2 * width + g * 4) * 4),
      op.get(dst),
      op.get(t2),
      op.get(t3),
      op.shuffle32([2, 3, 6, 7]),
      op.v128Store((3 * width + g * 4) * 4),
    );
  }
  const single: Code[] = Array.from({ length: width }, (_, r) => [
    op.get(dst),
    op.get(row(r)),
    op.f32Load(),
    op.f32Store(r * 4),
  ]);
  const body: Code = [
    op.i32(0),
    op.set(panel),
    op.block(),
    op.loop(),
    op.get(panel),
    op.get(panels),
    op.geU(),
    op.brIf(1),
    startRows,
    op.i32(0),
    op.set(k),
    op.block(),
    op.loop(),
    op.get(k),
    op.i32(4),
    op.add(),
    op.get(depth),
    op.gtS(),
    op.brIf(1),
    blocks,
    op.get(dst),
    op.i32(4 * width * 4),
    op.add(),
    op.set(dst),
    advance(16),
    op.get(k),
    op.i32(4),
    op.add(),
    op.set(k),
    op.br(0),
    op.end(),
    op.end(),
    op.block(),
    op.loop(),
    op.get(k),
    op.get(depth),
    op.geU(),
    op.brIf(1),
    single,
    op.get(dst),
    op.i32(width * 4),
    op.add(),
    op.set(dst),
    advance(4),
    op.get(k),
    op.i32(1),
    op.add(),
    op.set(k),
    op.br(0),
    op.end(),
    op.end(),
    op.get(panel),
    op.i32(1),
    op.add(),
    op.set(panel),
    op.br(0),
    op.end(),
    op.end(),
  ];
  const locals: ValueType[] = [
    i32Type,
    i32Type,
    ...new Array<ValueType>(width).fill(i32Type),
    ...new Array<ValueType>(8).fill(v128Type),
  ];
  return { name: `packTransposing${width}`, parameters: new Array<ValueType>(5).fill(i32Type), locals, body };
}

/**
 * gemm(aPacked, bPacked, c, rows, columns, depth, cRowStride, scratch, accumulate): C = A·B, or
 * C += A·B when `accumulate` is non-zero, for A packed in panels of TILE_ROWS rows and B in panels
 * of TILE_COLUMNS columns (both `depth` deep). Tiles on the edge of C go through `scratch`
 * (TILE_ROWS·TILE_COLUMNS floats) so nothing outside C is read or written. depth ≥ 1.
 *
 * `fusedMultiplyAdd` uses relaxed SIMD's f32x4.relaxed_madd (an FMA on CPUs that have one, 1.3×
 * faster here); without it each step is a multiply and an add.
 */
export function gemmFunction(fusedMultiplyAdd: boolean): FunctionSpec {
  const vectors = TILE_COLUMNS / 4;
  const [aPacked, bPacked, c, rows, columns, depth, cRowStride, scratch, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [columnStart, rowStart, aPanel, a, b, k, out, r, col, rowCount, columnCount] = [
    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
  ];
  const firstVector = 20;
  const acc = (tileRow: number, v: number): number => firstVector + tileRow * vectors + v;
  const bVector = (v: number): number => firstVector + TILE_ROWS * vectors + v;
  const aSplat = firstVector + TILE_ROWS * vectors + vectors;
  const locals: ValueType[] = [
    ...new Array<ValueType>(11).fill(i32Type),
    ...new Array<ValueType>(TILE_ROWS * vectors + vectors + 1).fill(v128Type),
  ];

  const eachAccumulator = (f: (tileRow: number, v: number) => Code): Code[] => {
    const code: Code[] = [];
    for (let tileRow = 0; tileRow < TILE_ROWS; tileRow++) for (let v = 0; v < vectors; v++) code.push(f(tileRow, v));
    return code;
  };
  const scratchOffset = (tileRow: number, v: number): number => (tileRow * TILE_COLUMNS + v * 4) * 4;
  // out = c + rowStart·cRowStride + columnStart·4: the tile's first element.
  const tileAddress: Code = [
    op.get(c),
    op.get(rowStart),
    op.get(cRowStride),
    op.mul(),
    op.add(),
    op.get(columnStart),
    op.i32(2),
    op.shl(),
    op.add(),
    op.set(out),
  ];
  const nextTileRow: Code = [op.get(out), op.get(cRowStride), op.add(), op.set(out)];
  const rowsByRow = (perRow: (tileRow: number) => Code): Code[] => {
    const code: Code[] = [tileAddress];
    for (let tileRow = 0; tileRow < TILE_ROWS; tileRow++)
      code.push(perRow(tileRow), tileRow < TILE_ROWS - 1 ? nextTileRow : []);
    return code;
  };
  const isFullTile: Code = [
    op.get(rowStart),
    op.i32(TILE_ROWS),
    op.add(),
    op.get(rows),
    op.leU(),
    op.get(columnStart),
    op.i32(TILE_COLUMNS),
    op.add(),
    op.get(columns),
    op.leU(),
    op.and(),
  ];
  // rowCount = min(TILE_ROWS, rows − rowStart); columnCount likewise.
  const edgeCounts: Code = [
    op.i32(TILE_ROWS),
    op.get(rows),
    op.get(rowStart),
    op.sub(),
    op.get(rows),
    op.get(rowStart),
    op.sub(),
    op.i32(TILE_ROWS),
    op.gtS(),
    op.select(),
    op.set(rowCount),
    op.i32(TILE_COLUMNS),
    op.get(columns),
    op.get(columnStart),
    op.sub(),
    op.get(columns),
    op.get(columnStart),
    op.sub(),
    op.i32(TILE_COLUMNS),
    op.gtS(),
    op.select(),
    op.set(columnCount),
  ];
  /** Runs `copy(cAddress, scratchAddress)` over the tile's elements that lie inside C. */
  const eachEdgeElement = (copy: (cAddress: Code, scratchAddress: Code) => Code): Code => [
    op.i32(0),
    op.set(r),
    op.loop(),
    op.i32(0),
    op.set(col),
    op.loop(),
    copy(
      [
        op.get(c),
        op.get(rowStart),
        op.get(r),
        op.add(),
        op.get(cRowStride),
        op.mul(),
        op.add(),
        op.get(columnStart),
        op.get(col),
        op.add(),
        op.i32(2),
        op.shl(),
        op.add(),
      ],
      [
        op.get(scratch),
        op.get(r),
        op.i32(TILE_COLUMNS),
        op.mul(),
        op.get(col),
        op.add(),
        op.i32(2),
        op.shl(),
        op.add(),
      ],
    ),
    op.get(col),
    op.i32(1),
    op.add(),
    op.tee(col),
    op.get(columnCount),
    op.ltS(),
    op.brIf(0),
    op.end(),
    op.get(r),
    op.i32(1),
    op.add(),
    op.tee(r),
    op.get(rowCount),
    op.ltS(),
    op.brIf(0),
    op.end(),
  ];

  const initialise: Code = [
    op.get(accumulate),
    op.if(),
    isFullTile,
    op.if(),
    rowsByRow((tileRow) =>
      Array.from({ length: vectors }, (_, v) => [op.get(out), op.v128Load(v * 16), op.set(acc(tileRow, v))]),
    ),
    op.else(),
    eachAccumulator((tileRow, v) => [op.get(scratch), op.v128Zero(), op.v128Store(scratchOffset(tileRow, v))]),
    edgeCounts,
    eachEdgeElement((cAddress, scratchAddress) => [scratchAddress, cAddress, op.f32Load(), op.f32Store()]),
    eachAccumulator((tileRow, v) => [op.get(scratch), op.v128Load(scratchOffset(tileRow, v)), op.set(acc(tileRow, v))]),
    op.end(),
    op.else(),
    eachAccumulator((tileRow, v) => [op.v128Zero(), op.set(acc(tileRow, v))]),
    op.end(),
  ];

  const step: Code[] = [];
  for (let v = 0; v < vectors; v++) step.push(op.get(b), op.v128Load(v * 16), op.set(bVector(v)));
  for (let tileRow = 0; tileRow < TILE_ROWS; tileRow++) {
    step.push(op.get(a), op.v128Load32Splat(tileRow * 4), op.set(aSplat));
    for (let v = 0; v < vectors; v++) {
      step.push(
        fusedMultiplyAdd
          ? [op.get(aSplat), op.get(bVector(v)), op.get(acc(tileRow, v)), op.f32x4RelaxedMadd()]
          : [op.get(aSplat), op.get(bVector(v)), op.f32x4Mul(), op.get(acc(tileRow, v)), op.f32x4Add()],
        op.set(acc(tileRow, v)),
      );
    }
  }

  const store: Code = [
    isFullTile,
    op.if(),
    rowsByRow((tileRow) =>
      Array.from({ length: vectors }, (_, v) => [op.get(out), op.get(acc(tileRow, v)), op.v128Store(v * 16)]),
    ),
    op.else(),
    eachAccumulator((tileRow, v) => [
      op.get(scratch),
      op.get(acc(tileRow, v)),
      op.v128Store(scratchOffset(tileRow, v)),
    ]),
    edgeCounts,
    eachEdgeElement((cAddress, scratchAddress) => [cAddress, scratchAddress, op.f32Load(), op.f32Store()]),
    op.end(),
  ];

  const body: Code = [
    op.i32(0),
    op.set(columnStart),
    op.block(),
    op.loop(),
    op.get(columnStart),
    op.get(columns),
    op.geU(),
    op.brIf(1),
    op.i32(0),
    op.set(rowStart),
    op.get(aPacked),
    op.set(aPanel),
    op.block(),
    op.loop(),
    op.get(rowStart),
    op.get(rows),
    op.geU(),
    op.brIf(1),
    initialise,
    op.get(aPanel),
    op.set(a),
    op.get(bPacked),
    op.set(b),
    op.get(depth),
    op.set(k),
    op.loop(),
    step,
    op.get(a),
    op.i32(TILE_ROWS * 4),
    op.add(),
    op.set(a),
    op.get(b),
    op.i32(TILE_COLUMNS * 4),
    op.add(),
    op.set(b),
    op.get(k),
    op.i32(1),
    op.sub(),
    op.tee(k),
    op.brIf(0),
    op.end(),
    op.get(a),
    op.set(aPanel),
    store,
    op.get(rowStart),
    op.i32(TILE_ROWS),
    op.add(),
    op.set(rowStart),
    op.br(0),
    op.end(),
    op.end(),
    op.get(bPacked),
    op.get(depth),
    op.i32(TILE_COLUMNS * 4),
    op.mul(),
    op.add(),
    op.set(bPacked),
    op.get(columnStart),
    op.i32(TILE_COLUMNS),
    op.add(),
    op.set(columnStart),
    op.br(0),
    op.end(),
    op.end(),
  ];
  return { name: 'gemm', parameters: new Array<ValueType>(9).fill(i32Type), locals, body };
}
