import { type MatrixView, relaxedSimdAvailable, WasmGemm } from './gemm';

/** A memory with a bump allocator: operands first, then whatever the multiply asks for. */
function standaloneMemory(): {
  memory: WebAssembly.Memory;
  gemm: (fused: boolean) => WasmGemm;
  put: (values: Float32Array) => number;
  view: () => Float32Array;
} {
  const memory = new WebAssembly.Memory({ initial: 256 });
  let top = 64;
  const allocate = (bytes: number): number => {
    const address = top;
    top += Math.ceil(bytes / 16) * 16;
    while (top > memory.buffer.byteLength) memory.grow(16);
    return address;
  };
  return {
    memory,
    gemm: (fused) => WasmGemm.create(memory, { allocate, release: () => undefined }, fused),
    put: (values) => {
      const address = allocate(values.length * 4);
      new Float32Array(memory.buffer, address, values.length).set(values);
      return address;
    },
    view: () => new Float32Array(memory.buffer),
  };
}

function randomValues(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

/** Multiplies op(A)·op(B) with the wasm kernel and in float64, for A stored rows × depth (or transposed). */
function check(
  rows: number,
  columns: number,
  depth: number,
  transposeA: boolean,
  transposeB: boolean,
  fused: boolean,
): number {
  const m = standaloneMemory();
  const gemm = m.gemm(fused);
  const aValues = randomValues(rows * depth, rows * 31 + depth);
  const bValues = randomValues(depth * columns, columns * 17 + depth);
  const aAddress = m.put(aValues);
  const bAddress = m.put(bValues);
  const cAddress = m.put(new Float32Array(rows * columns).fill(Number.NaN));
  // A stored as rows × depth, or depth × rows when transposed; B as depth × columns or columns × depth.
  const a: MatrixView = transposeA
    ? { address: aAddress, rowStride: 4, columnStride: rows * 4 }
    : { address: aAddress, rowStride: depth * 4, columnStride: 4 };
  const b: MatrixView = transposeB
    ? { address: bAddress, rowStride: 4, columnStride: depth * 4 }
    : { address: bAddress, rowStride: columns * 4, columnStride: 4 };
  gemm.multiply(a, b, { address: cAddress, rowStride: columns * 4 }, rows, columns, depth);
  const c = m.view().subarray(cAddress / 4, cAddress / 4 + rows * columns);
  const aAt = (i: number, k: number): number => (transposeA ? aValues[k * rows + i] : aValues[i * depth + k]);
  const bAt = (k: number, j: number): number => (transposeB ? bValues[j * depth + k] : bValues[k * columns + j]);
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      let sum = 0;
      for (let k = 0; k < depth; k++) sum += aAt(i, k) * bAt(k, j);
      worst = Math.max(worst, Math.abs(c[i * columns + j] - sum) / Math.sqrt(depth + 1));
    }
  }
  return worst;
}

describe('WasmGemm', () => {
  // (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴ lies half-way between two floats: rounding the product alone
  // loses 2⁻²⁴, which a fused multiply-add keeps. A·B = p − p in either order of the shared axis:
  // ±2⁻²⁴ when each product is added unrounded, 0 when rounded first.
  const fusedIt = relaxedSimdAvailable() ? it : it.skip;
  const fusedTitle = relaxedSimdAvailable() ? '' : ' (skipped: this Node has no relaxed SIMD)';
  fusedIt(`rounds each product once with fused multiply-adds and twice without${fusedTitle}`, () => {
    const x = 1 + 2 ** -12;
    const product = (fused: boolean): number => {
      const m = standaloneMemory();
      const a = m.put(Float32Array.from([x, -x]));
      const b = m.put(Float32Array.from([x, x]));
      const c = m.put(new Float32Array(1).fill(Number.NaN));
      m.gemm(fused).multiply(
        { address: a, rowStride: 8, columnStride: 4 },
        { address: b, rowStride: 4, columnStride: 4 },
        { address: c, rowStride: 4 },
        1,
        1,
        2,
      );
      return m.view()[c / 4];
    };
    expect(Math.abs(product(true))).toBe(2 ** -24);
    expect(product(false)).toBe(0);
  });

  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 16],
    [37, 29, 21],
    [130, 9, 300], // more than one row block and one depth block, ragged tiles
    [64, 70, 513],
  ];
  for (const fused of [false, true]) {
    for (const [rows, columns, depth] of shapes) {
      it(`matches a float64 product for ${rows}×${depth}·${depth}×${columns} in every transposition (${fused ? 'fused' : 'separate'} multiply-add)`, () => {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true])
            expect(check(rows, columns, depth, transposeA, transposeB, fused)).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('writes zeros for an empty shared dimension and touches nothing outside C', () => {
    const m = standaloneMemory();
    const before = m.put(new Float32Array(4).fill(7));
    const c = m.put(new Float32Array(6).fill(Number.NaN));
    const after = m.put(new Float32Array(4).fill(7));
    m.gemm(false).multiply(
      { address: 0, rowStride: 0, columnStride: 4 },
      { address: 0, rowStride: 12, columnStride: 4 },
      { address: c, rowStride: 12 },
      2,
      3,
      0,
    );
    expect(Array.from(m.view().subarray(c / 4, c / 4 + 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(m.view().subarray(before / 4, before / 4 + 4))).toEqual([7, 7, 7, 7]);
    expect(Array.from(m.view().subarray(after / 4, after / 4 + 4))).toEqual([7, 7, 7, 7]);
  });

  it('leaves the memory around an edge tile untouched', () => {
    const m = standaloneMemory();
    const gemm = m.gemm(false);
    const a = m.put(randomValues(5 * 3, 1));
    const b = m.put(randomValues(3 * 6, 2));
    // C is 5 × 6 inside a 5 × 10 buffer: columns 6..9 of each row belong to someone else.
    const c = m.put(new Float32Array(5 * 10).fill(7));
    gemm.multiply(
      { address: a, rowStride: 12, columnStride: 4 },
      { address: b, rowStride: 24, columnStride: 4 },
      { address: c, rowStride: 40 },
      5,
      6,
      3,
    );
    const out = m.view().subarray(c / 4, c / 4 + 50);
    for (let i = 0; i < 5; i++) expect(Array.from(out.subarray(i * 10 + 6, i * 10 + 10))).toEqual([7, 7, 7, 7]);
  });
});
