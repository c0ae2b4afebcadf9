import * as v8 from 'node:v8';
import {
  gemmFunction,
  packContiguousFunction,
  packFunction,
  packTransposingFunction,
  TILE_COLUMNS,
  TILE_ROWS,
} from './gemm-kernels';
import { encodeModule, op } from '@weightspace/wasm-encoder';

/** A matrix in wasm memory: element (i, j) is the float32 at address + i·rowStride + j·columnStride (bytes). */
export interface MatrixView {
  readonly address: number;
  readonly rowStride: number;
  readonly columnStride: number;
}

/** Memory for the packed panels, taken from whoever owns the wasm memory. */
export interface ScratchAllocator {
  allocate(bytes: number): number;
  release(address: number): void;
}

/**
 * Block sizes of the GotoBLAS loops: a packed A block (BLOCK_ROWS × BLOCK_DEPTH, 128 KiB) stays in
 * L2 while one packed B panel (BLOCK_DEPTH × TILE_COLUMNS, 8 KiB) stays in L1. On the MLP's
 * products (512-784 square-ish) depths 128–784 and 64–512 rows all ran at 33–40 GFLOP/s, within
 * this machine's noise; blocking matters for the large depths of activation statistics (K = samples).
 */
const BLOCK_DEPTH = 256;
const BLOCK_ROWS = 128;

type PackWhole = (src: number, dst: number, panels: number, depth: number, stride: number) => void;

interface GemmExports {
  pack(
    src: number,
    dst: number,
    rows: number,
    depth: number,
    rowStride: number,
    depthStride: number,
    width: number,
  ): void;
  packContiguous4: PackWhole;
  packContiguous8: PackWhole;
  packTransposing4: PackWhole;
  packTransposing8: PackWhole;
  gemm(
    aPacked: number,
    bPacked: number,
    c: number,
    rows: number,
    columns: number,
    depth: number,
    cRowStride: number,
    scratch: number,
    accumulate: number,
  ): void;
}

/** Whether this V8 accepts relaxed SIMD, switching its flag on where it is not on by default (Node 20). */
export function relaxedSimdAvailable(): boolean {
  const probe = encodeModule([
    {
      name: 'probe',
      parameters: [],
      locals: [],
      body: [op.v128Zero(), op.v128Zero(), op.v128Zero(), op.f32x4RelaxedMadd(), op.drop()],
    },
  ]);
  if (WebAssembly.validate(probe)) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(probe);
}

/**
 * Float32 matrix multiply over a WebAssembly memory shared with its caller (for tfjs's wasm backend,
 * its heap: operands are read where the tensors live and the product is written in place).
 * Transposed and strided operands are free: they only change the packing's strides.
 */
export class WasmGemm {
  private scratch = 0;
  private scratchBytes = 0;

  private constructor(
    private readonly kernels: GemmExports,
    private readonly memory: WebAssembly.Memory,
    private readonly allocator: ScratchAllocator,
    /** Whether the micro-kernel uses fused multiply-adds. */
    readonly fusedMultiplyAdd: boolean,
  ) {}

  static create(
    memory: WebAssembly.Memory,
    allocator: ScratchAllocator,
    fusedMultiplyAdd = relaxedSimdAvailable(),
  ): WasmGemm {
    const bytes = encodeModule([
      packFunction(),
      packContiguousFunction(4),
      packContiguousFunction(8),
      packTransposingFunction(4),
      packTransposingFunction(8),
      gemmFunction(fusedMultiplyAdd),
    ]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return new WasmGemm(instance.exports as unknown as GemmExports, memory, allocator, fusedMultiplyAdd);
  }

  /** C = A·B for A rows × depth, B depth × columns, C rows × columns with columns contiguous. */
  multiply(
    a: MatrixView,
    b: MatrixView,
    c: { address: number; rowStride: number },
    rows: number,
    columns: number,
    depth: number,
  ): void {
    if (rows === 0 || columns === 0) return;
    if (depth === 0) {
      for (let i = 0; i < rows; i++) new Float32Array(this.memory.buffer, c.address + i * c.rowStride, columns).fill(0);
      return;
    }
    const blockDepth = Math.min(BLOCK_DEPTH, depth);
    const aBytes = (Math.min(BLOCK_ROWS, rows) + TILE_ROWS) * blockDepth * 4;
    const bBytes = (columns + TILE_COLUMNS) * blockDepth * 4;
    const base = this.reserve(aBytes + bBytes + TILE_ROWS * TILE_COLUMNS * 4);
    const [aPacked, bPacked, tile] = [base, base + aBytes, base + aBytes + bBytes];
    const { gemm } = this.kernels;
    for (let k0 = 0; k0 < depth; k0 += BLOCK_DEPTH) {
      const kc = Math.min(BLOCK_DEPTH, depth - k0);
      this.pack(b.address + k0 * b.rowStride, bPacked, columns, kc, b.columnStride, b.rowStride, TILE_COLUMNS);
      for (let i0 = 0; i0 < rows; i0 += BLOCK_ROWS) {
        const mc = Math.min(BLOCK_ROWS, rows - i0);
        this.pack(
          a.address + i0 * a.rowStride + k0 * a.columnStride,
          aPacked,
          mc,
          kc,
          a.rowStride,
          a.columnStride,
          TILE_ROWS,
        );
        gemm(aPacked, bPacked, c.address + i0 * c.rowStride, mc, columns, kc, c.rowStride, tile, k0 > 0 ? 1 : 0);
      }
    }
  }

  /**
   * Packs rows × depth (element (i, k) at src + i·rowStride + k·depthStride) into panels of
   * `width` rows: whole panels by vector copies or in-register transposes where one of the
   * strides is a single float, the last partial panel (and any other layout) element by element.
   */
  private pack(
    src: number,
    dst: number,
    rows: number,
    depth: number,
    rowStride: number,
    depthStride: number,
    width: 4 | 8,
  ): void {
    const k = this.kernels;
    const whole =
      rowStride === 4
        ? width === 4
          ? k.packContiguous4
          : k.packContiguous8
        : depthStride === 4
          ? width === 4
            ? k.packTransposing4
            : k.packTransposing8
          : undefined;
    const panels = whole ? Math.floor(rows / width) : 0;
    if (whole && panels > 0) whole(src, dst, panels, depth, rowStride === 4 ? depthStride : rowStride);
    const done = panels * width;
    if (done < rows)
      k.pack(src + done * rowStride, dst + done * depth * 4, rows - done, depth, rowStride, depthStride, width);
  }

  /** Returns scratch of at least `bytes`, 16-byte aligned, reusing the last block when it is big enough. */
  private reserve(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratch) this.allocator.release(this.scratch);
      this.scratchBytes = Math.max(bytes, this.scratchBytes * 2);
      this.scratch = this.allocator.allocate(this.scratchBytes + 16);
    }
    return (this.scratch + 15) & ~15;
  }
}
