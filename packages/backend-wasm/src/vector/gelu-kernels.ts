import { type Code, encodeModule, Locals, type FunctionSpec, i32Type, op, v128Type } from '@weightspace/wasm-encoder';
import { type Lanes, overLanes } from './lanes';

/**
 * The exact GELU, x·Φ(x) with Φ the standard normal CDF (PyTorch's default), and its derivative,
 * as single WebAssembly SIMD passes over float32 arrays in a memory shared with the caller (the
 * backend's heap). tfjs runs the same function as five elementwise passes forward and about a
 * dozen backward, with a scalar erf and exp; in a small transformer's training step those passes
 * cost more than its MLP's matrix products. Addresses are byte addresses.
 *
 * Φ(x) = ½(1 + erf(x/√2)), with erf by Abramowitz & Stegun 7.1.26 (the formula tfjs's Erf
 * kernels use; absolute error below 1.5e-7, about float32's rounding of numbers near 1):
 *   erf(z) = 1 − (a₁t + a₂t² + a₃t³ + a₄t⁴ + a₅t⁵)·e^(−z²),  t = 1/(1 + p·z),  z ≥ 0,
 * and e^(−x²/2) by range reduction (x = k·ln 2 + r, |r| ≤ ½ ln 2) and a degree-7 Taylor
 * polynomial of e^r (relative error below 1e-8), scaled by 2^k built in the exponent bits.
 */
export interface GeluKernels {
  /** y[i] = x[i]·Φ(x[i]) over n entries. */
  gelu(x: number, y: number, n: number): void;
  /** dx[i] = dy[i]·(Φ(x[i]) + x[i]·φ(x[i])), φ the standard normal density, over n entries. */
  geluGrad(x: number, dy: number, dx: number, n: number): void;
}

const i32 = i32Type;
const v128 = v128Type;

const ERF_P = 0.3275911;
const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];
/** ln 2 split in two (Cody & Waite): k·LN2_HI is exact for the k that occur here. */
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
/** e^(−x²/2) is 0 in float32 below this exponent; clamping keeps 2^k a normal number. */
const SMALLEST_EXPONENT = -87;
/** 1.5·2²³: a float32 sum with it rounds to an integer k, whose bits are ROUNDING_SHIFT_BITS + k. */
const ROUNDING_SHIFT = 12582912;
const ROUNDING_SHIFT_BITS = 0x4b400000;
/** 1/7!, 1/6!, …, 1/1!, 1/0!: the Taylor coefficients of e^r, highest first (for Horner). */
const TAYLOR = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1];

/** The code of one function: constants, then per vector x (in local `x`): Φ(x) in `phi`, e^(−x²/2) in `gauss`. */
function normalParts(locals: Locals) {
  const constant = new Map<number, number>();
  const splats: Code[] = [];
  const c = (value: number): Code => {
    let local = constant.get(value);
    if (local === undefined) {
      local = locals.add(v128);
      constant.set(value, local);
      splats.push([op.f32Const(value), op.f32x4Splat(), op.set(local)]);
    }
    return op.get(local);
  };
  const x = locals.add(v128);
  const k = locals.add(v128);
  const r = locals.add(v128);
  const gauss = locals.add(v128);
  const h = locals.add(v128);
  const phi = locals.add(v128);
  const bias = locals.add(v128);
  const bits = locals.add(v128);
  const mul = (a: Code, b: Code): Code => [a, b, op.f32x4Mul()];
  const add = (a: Code, b: Code): Code => [a, b, op.f32x4Add()];
  const sub = (a: Code, b: Code): Code => [a, b, op.f32x4Sub()];
  /** Horner: ((c₀·v + c₁)·v + c₂)… for coefficients highest first. */
  const horner = (coefficients: readonly number[], v: Code): Code =>
    coefficients.slice(1).reduce<Code>((acc, coefficient) => add(mul(acc, v), c(coefficient)), c(coefficients[0]));
  const body: Code = [
    // w = max(−x²/2, −87); k = nearest(w·log₂e), rounded by adding 1.5·2²³ (float32 addition
    // rounds to an integer there, and k then sits in the low mantissa bits); r = w − k·ln 2.
    mul(mul(op.get(x), op.get(x)), c(-0.5)),
    c(SMALLEST_EXPONENT),
    op.f32x4Max(),
    op.tee(r),
    c(Math.LOG2E),
    op.f32x4Mul(),
    c(ROUNDING_SHIFT),
    op.f32x4Add(),
    op.tee(bits),
    c(ROUNDING_SHIFT),
    op.f32x4Sub(),
    op.tee(k),
    c(LN2_HI),
    op.f32x4Mul(),
    op.set(h),
    sub(sub(op.get(r), op.get(h)), mul(op.get(k), c(LN2_LO))),
    op.set(r),
    // e^w = P(r)·2^k, 2^k from its exponent bits: (k + 127) << 23, k + 127 being the shifted
    // sum's bits less those of 1.5·2²³, plus 127.
    horner(TAYLOR, op.get(r)),
    op.get(bits),
    op.get(bias),
    op.i32x4Add(),
    op.i32(23),
    op.i32x4Shl(),
    op.f32x4Mul(),
    op.set(gauss),
    // t = 1/(1 + p·|x|/√2); h = ½·(a₁t + … + a₅t⁵)·e^(−x²/2) = ½(1 − erf(|x|/√2)).
    c(1),
    c(1),
    op.get(x),
    op.f32x4Abs(),
    c(ERF_P * Math.SQRT1_2),
    op.f32x4Mul(),
    op.f32x4Add(),
    op.f32x4Div(),
    op.set(k),
    mul(mul(mul(horner([...ERF_A].reverse(), op.get(k)), op.get(k)), op.get(gauss)), c(0.5)),
    op.tee(h),
    // Φ(x) = h where x < 0, 1 − h elsewhere.
    sub(c(1), op.get(h)),
    op.get(x),
    c(0),
    op.f32x4Lt(),
    op.v128Bitselect(),
    op.set(phi),
  ];
  /** The constants' splats, once every constant the function uses has been asked for. */
  const setUp = (): Code => [splats, op.i32(127 - ROUNDING_SHIFT_BITS), op.i32x4Splat(), op.set(bias)];
  return { x, phi, gauss, body, setUp, c };
}

function gelu(): FunctionSpec {
  const [xAt, yAt, n] = [0, 1, 2];
  const locals = new Locals(3);
  const j = locals.add(i32);
  const parts = normalParts(locals);
  const step = (lanes: Lanes): Code => [
    op.get(xAt),
    lanes.load(),
    op.set(parts.x),
    parts.body,
    op.get(yAt),
    op.get(parts.x),
    op.get(parts.phi),
    op.f32x4Mul(),
    lanes.store(),
  ];
  const loop = overLanes(j, n, step, [xAt, yAt]);
  return { name: 'gelu', parameters: [i32, i32, i32], locals: locals.types, body: [parts.setUp(), loop] };
}

function geluGrad(): FunctionSpec {
  const [xAt, dyAt, dxAt, n] = [0, 1, 2, 3];
  const locals = new Locals(4);
  const j = locals.add(i32);
  const parts = normalParts(locals);
  const dy = locals.add(v128);
  // dy·(Φ(x) + x·e^(−x²/2)/√(2π))
  const step = (lanes: Lanes): Code => [
    op.get(xAt),
    lanes.load(),
    op.set(parts.x),
    op.get(dyAt),
    lanes.load(),
    op.set(dy),
    parts.body,
    op.get(dxAt),
    op.get(dy),
    op.get(parts.phi),
    op.get(parts.x),
    op.get(parts.gauss),
    op.f32x4Mul(),
    parts.c(1 / Math.sqrt(2 * Math.PI)),
    op.f32x4Mul(),
    op.f32x4Add(),
    op.f32x4Mul(),
    lanes.store(),
  ];
  const loop = overLanes(j, n, step, [xAt, dyAt, dxAt]);
  return { name: 'geluGrad', parameters: [i32, i32, i32, i32], locals: locals.types, body: [parts.setUp(), loop] };
}

/** Compiled once per process: the module is a pure function of the code above. */
let compiled: WebAssembly.Module | undefined;

/** The kernels over `memory`, which must hold every array they are given. */
export function geluKernels(memory: WebAssembly.Memory): GeluKernels {
  compiled ??= new WebAssembly.Module(encodeModule([gelu(), geluGrad()]));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as GeluKernels;
}
