import {
  type Code,
  encodeModule,
  f32Type,
  type FunctionSpec,
  i32Type,
  op,
  v128Type,
  type ValueType,
} from '@weightspace/wasm-encoder';
import { countUp, fourThenOne } from '@weightspace/wasm-encoder';

/**
 * Float32 loops of training that tfjs's wasm backend runs as several passes or behind a transpose,
 * written once as WebAssembly SIMD over a memory shared with the caller (the backend's heap).
 * Addresses are byte addresses of float32 arrays.
 */
export interface VectorKernels {
  /** dst[j] = Σ_i src[i·columns + j]: the sum over the leading axes (a bias gradient) without a transpose. */
  columnSum(src: number, dst: number, rows: number, columns: number): void;
  /**
   * dst[o·count + i] = src[o·size + index[i]] for o < outer, i < count: a gather of single 4-byte
   * elements along a tensor's last axis (indices already checked).
   */
  gatherElements(src: number, dst: number, outer: number, size: number, index: number, count: number): void;
  /**
   * One Adam step on n entries, written to fresh outputs (θ', m', v'):
   *   m' = β1·m + (1 − β1)·g,  v' = β2·v + (1 − β2)·g²,
   *   θ' = θ − lr · (m' / c1) / (√(v' / c2) + ε),  c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ
   * (tfjs's and PyTorch's Adam), in one pass instead of thirteen.
   */
  adamStep(
    theta: number,
    m: number,
    v: number,
    g: number,
    thetaOut: number,
    mOut: number,
    vOut: number,
    n: number,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    correction1: number,
    correction2: number,
  ): void;
}

const i32 = i32Type;
const f32 = f32Type;
const v128 = v128Type;

function columnSum(): FunctionSpec {
  const [src, dst, rows, columns, i, j, out] = [0, 1, 2, 3, 4, 5, 6];
  const zero = fourThenOne(
    j,
    columns,
    [op.get(out), op.v128Zero(), op.v128Store()],
    [op.get(out), op.f32Const(0), op.f32Store()],
    [out],
    4,
  );
  const addRow = fourThenOne(
    j,
    columns,
    [op.get(out), op.get(out), op.v128Load(), op.get(src), op.v128Load(), op.f32x4Add(), op.v128Store()],
    [op.get(out), op.get(out), op.f32Load(), op.get(src), op.f32Load(), op.f32Add(), op.f32Store()],
    [out, src],
    4,
  );
  return {
    name: 'columnSum',
    parameters: [i32, i32, i32, i32],
    locals: [i32, i32, i32],
    body: [op.get(dst), op.set(out), zero, countUp(i, rows, [op.get(dst), op.set(out), addRow])],
  };
}

function gatherElements(): FunctionSpec {
  const [src, dst, outer, size, index, count, o, i, from] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  return {
    name: 'gatherElements',
    parameters: [i32, i32, i32, i32, i32, i32],
    locals: [i32, i32, i32],
    body: countUp(o, outer, [
      op.get(src),
      op.get(o),
      op.get(size),
      op.mul(),
      op.i32(2),
      op.shl(),
      op.add(),
      op.set(from),
      countUp(i, count, [
        op.get(dst),
        op.get(from),
        op.get(index),
        op.get(i),
        op.i32(2),
        op.shl(),
        op.add(),
        op.i32Load(),
        op.i32(2),
        op.shl(),
        op.add(),
        op.i32Load(),
        op.i32Store(),
        op.get(dst),
        op.i32(4),
        op.add(),
        op.set(dst),
      ]),
    ]),
  };
}

function adamStep(): FunctionSpec {
  const [theta, m, v, g, thetaOut, mOut, vOut, n, lr, beta1, beta2, epsilon, c1, c2] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
  ];
  const [j, b1, b2, rest1, rest2, rate, eps, k1, k2, gv, mv, vv] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
  // Scalars per lane: one splat each before the loop.
  const splat = (value: Code, local: number): Code => [value, op.f32x4Splat(), op.set(local)];
  const one = (): Code => op.f32Const(1);
  const vector: Code = [
    op.get(g),
    op.v128Load(),
    op.set(gv),
    op.get(mOut),
    op.get(m),
    op.v128Load(),
    op.get(b1),
    op.f32x4Mul(),
    op.get(gv),
    op.get(rest1),
    op.f32x4Mul(),
    op.f32x4Add(),
    op.tee(mv),
    op.v128Store(),
    op.get(vOut),
    op.get(v),
    op.v128Load(),
    op.get(b2),
    op.f32x4Mul(),
    op.get(gv),
    op.get(gv),
    op.f32x4Mul(),
    op.get(rest2),
    op.f32x4Mul(),
    op.f32x4Add(),
    op.tee(vv),
    op.v128Store(),
    op.get(thetaOut),
    op.get(theta),
    op.v128Load(),
    op.get(mv),
    op.get(k1),
    op.f32x4Div(),
    op.get(vv),
    op.get(k2),
    op.f32x4Div(),
    op.f32x4Sqrt(),
    op.get(eps),
    op.f32x4Add(),
    op.f32x4Div(),
    op.get(rate),
    op.f32x4Mul(),
    op.f32x4Sub(),
    op.v128Store(),
  ];
  const lane = (local: number): Code => [op.get(local), op.f32Load()];
  const scalar: Code = [
    op.get(mOut),
    lane(m),
    op.get(beta1),
    op.f32Mul(),
    lane(g),
    one(),
    op.get(beta1),
    op.f32Sub(),
    op.f32Mul(),
    op.f32Add(),
    op.f32Store(),
    op.get(vOut),
    lane(v),
    op.get(beta2),
    op.f32Mul(),
    lane(g),
    lane(g),
    op.f32Mul(),
    one(),
    op.get(beta2),
    op.f32Sub(),
    op.f32Mul(),
    op.f32Add(),
    op.f32Store(),
    op.get(thetaOut),
    lane(theta),
    lane(mOut),
    op.get(c1),
    op.f32Div(),
    lane(vOut),
    op.get(c2),
    op.f32Div(),
    op.f32Sqrt(),
    op.get(epsilon),
    op.f32Add(),
    op.f32Div(),
    op.get(lr),
    op.f32Mul(),
    op.f32Sub(),
    op.f32Store(),
  ];
  const parameters: ValueType[] = [i32, i32, i32, i32, i32, i32, i32, i32, f32, f32, f32, f32, f32, f32];
  return {
    name: 'adamStep',
    parameters,
    locals: [i32, ...new Array<ValueType>(11).fill(v128)],
    body: [
      splat(op.get(beta1), b1),
      splat(op.get(beta2), b2),
      splat([one(), op.get(beta1), op.f32Sub()], rest1),
      splat([one(), op.get(beta2), op.f32Sub()], rest2),
      splat(op.get(lr), rate),
      splat(op.get(epsilon), eps),
      splat(op.get(c1), k1),
      splat(op.get(c2), k2),
      fourThenOne(j, n, vector, scalar, [theta, m, v, g, thetaOut, mOut, vOut], 4),
    ],
  };
}

/** Compiled once per process: the module is a pure function of the code above. */
const compiled = new WebAssembly.Module(encodeModule([columnSum(), gatherElements(), adamStep()]));

/** The kernels over `memory`, which must hold every array they are given. */
export function vectorKernels(memory: WebAssembly.Memory): VectorKernels {
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as VectorKernels;
}
