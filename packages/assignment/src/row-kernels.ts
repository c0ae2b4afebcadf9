import {
  type Code,
  encodeModule,
  f64Type,
  fourThenOne,
  type FunctionSpec,
  i32Type,
  op,
  v128Type,
} from '@weightspace/wasm-encoder';

/**
 * The inner loops of the Jacobi SVD (see polar-decomposition.ts) as WebAssembly SIMD over float64
 * rows (two lanes, two accumulators): an inner product, a plane rotation of two rows and a scaled
 * row added to another. Each is O(n) on rows of a few dozen to a few hundred entries, where
 * JavaScript's scalar loops spend most of the SVD's time. All addresses are byte addresses of
 * float64 arrays in the memory the kernels were made over.
 */
export interface RowKernels {
  /** Σ x[k]·y[k] over n entries. */
  dot(x: number, y: number, n: number): number;
  /** (x, y) ← (c·x − s·y, s·x + c·y), entrywise over n entries. */
  rotate(x: number, y: number, n: number, c: number, s: number): void;
  /** y ← y + a·x over n entries. */
  axpy(y: number, x: number, n: number, a: number): void;
}

const i32 = i32Type;
const f64 = f64Type;
const v128 = v128Type;

function dot(): FunctionSpec {
  const [x, y, n, j, acc0, acc1, tail, sum] = [0, 1, 2, 3, 4, 5, 6, 7];
  const pair = (at: number, acc: number): Code => [
    op.get(acc),
    op.get(x),
    op.v128Load(at),
    op.get(y),
    op.v128Load(at),
    op.f64x2Mul(),
    op.f64x2Add(),
    op.set(acc),
  ];
  return {
    name: 'dot',
    parameters: [i32, i32, i32],
    result: f64,
    locals: [i32, v128, v128, f64, v128],
    body: [
      op.f64Const(0),
      op.f64x2Splat(),
      op.tee(acc0),
      op.set(acc1),
      op.f64Const(0),
      op.set(tail),
      fourThenOne(
        j,
        n,
        [pair(0, acc0), pair(16, acc1)],
        [op.get(tail), op.get(x), op.f64Load(), op.get(y), op.f64Load(), op.f64Mul(), op.f64Add(), op.set(tail)],
        [x, y],
        8,
      ),
      op.get(acc0),
      op.get(acc1),
      op.f64x2Add(),
      op.tee(sum),
      op.f64x2ExtractLane(0),
      op.get(sum),
      op.f64x2ExtractLane(1),
      op.f64Add(),
      op.get(tail),
      op.f64Add(),
    ],
  };
}

function rotate(): FunctionSpec {
  const [x, y, n, c, s, j, cv, sv, a, b, af, bf] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const pair = (at: number): Code => [
    [op.get(x), op.v128Load(at), op.set(a), op.get(y), op.v128Load(at), op.set(b)],
    [op.get(x), op.get(cv), op.get(a), op.f64x2Mul(), op.get(sv), op.get(b), op.f64x2Mul(), op.f64x2Sub()],
    op.v128Store(at),
    [op.get(y), op.get(sv), op.get(a), op.f64x2Mul(), op.get(cv), op.get(b), op.f64x2Mul(), op.f64x2Add()],
    op.v128Store(at),
  ];
  const one: Code = [
    [op.get(x), op.f64Load(), op.set(af), op.get(y), op.f64Load(), op.set(bf)],
    [op.get(x), op.get(c), op.get(af), op.f64Mul(), op.get(s), op.get(bf), op.f64Mul(), op.f64Sub(), op.f64Store()],
    [op.get(y), op.get(s), op.get(af), op.f64Mul(), op.get(c), op.get(bf), op.f64Mul(), op.f64Add(), op.f64Store()],
  ];
  return {
    name: 'rotate',
    parameters: [i32, i32, i32, f64, f64],
    locals: [i32, v128, v128, v128, v128, f64, f64],
    body: [
      [op.get(c), op.f64x2Splat(), op.set(cv), op.get(s), op.f64x2Splat(), op.set(sv)],
      fourThenOne(j, n, [pair(0), pair(16)], one, [x, y], 8),
    ],
  };
}

function axpy(): FunctionSpec {
  const [y, x, n, scale, j, sv] = [0, 1, 2, 3, 4, 5];
  const pair = (at: number): Code => [
    op.get(y),
    op.get(y),
    op.v128Load(at),
    op.get(sv),
    op.get(x),
    op.v128Load(at),
    op.f64x2Mul(),
    op.f64x2Add(),
    op.v128Store(at),
  ];
  const one: Code = [
    op.get(y),
    op.get(y),
    op.f64Load(),
    op.get(scale),
    op.get(x),
    op.f64Load(),
    op.f64Mul(),
    op.f64Add(),
    op.f64Store(),
  ];
  return {
    name: 'axpy',
    parameters: [i32, i32, i32, f64],
    locals: [i32, v128],
    body: [op.get(scale), op.f64x2Splat(), op.set(sv), fourThenOne(j, n, [pair(0), pair(16)], one, [y, x], 8)],
  };
}

/** Compiled once per process: the module is a pure function of the code above. */
const compiled = new WebAssembly.Module(encodeModule([dot(), rotate(), axpy()]));

/** The kernels over `memory`, which must hold every row they are given. */
export function rowKernels(memory: WebAssembly.Memory): RowKernels {
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as RowKernels;
}
