import {
  type Code,
  countUp,
  encodeModule,
  f32Type,
  Locals,
  type FunctionSpec,
  i32Type,
  op,
  v128Type,
} from '@weightspace/wasm-encoder';
import { FOUR, type Lanes, overLanes } from './lanes';

/**
 * LayerNorm over the last axis and its gradient as WebAssembly SIMD over float32 rows in a memory
 * shared with the caller (the backend's heap): each row of `d` features in three passes forward
 * and two backward, where tfjs composes a dozen elementwise and reduction operations forward and
 * about twice as many backward. Addresses are byte addresses; statistics are float32 sums in four
 * lanes (as tfjs's own reductions are).
 */
export interface LayerNormKernels {
  /**
   * For each of `rows` rows of x: μ = mean, r = 1/√(biased variance + ε), y = (x − μ)·r·γ + β;
   * μ and r stored per row at `mean` and `rstd`.
   */
  layerNorm(
    x: number,
    gamma: number,
    beta: number,
    y: number,
    mean: number,
    rstd: number,
    rows: number,
    d: number,
    epsilon: number,
  ): void;
  /**
   * With x̂ = (x − μ)·r and g = dy·γ per row: dx = r·(g − mean(g) − x̂·mean(g·x̂)), and over the
   * rows dγ = Σ dy·x̂, dβ = Σ dy (written, not added to).
   */
  layerNormGrad(
    x: number,
    gamma: number,
    dy: number,
    mean: number,
    rstd: number,
    dx: number,
    dGamma: number,
    dBeta: number,
    rows: number,
    d: number,
  ): void;
}

const i32 = i32Type;
const f32 = f32Type;
const v128 = v128Type;

/** The four lanes of a vector local added up (f32). */
const laneSum = (local: number): Code => [
  op.get(local),
  op.f32x4ExtractLane(0),
  op.get(local),
  op.f32x4ExtractLane(1),
  op.f32Add(),
  op.get(local),
  op.f32x4ExtractLane(2),
  op.f32Add(),
  op.get(local),
  op.f32x4ExtractLane(3),
  op.f32Add(),
];

/** A vector accumulator for the four-lane part and one for the tail (whose lane 0 counts). */
function accumulator(locals: Locals) {
  const four = locals.add(v128);
  const one = locals.add(v128);
  return {
    of: (lanes: Lanes) => (lanes === FOUR ? four : one),
    reset: [op.v128Zero(), op.set(four), op.v128Zero(), op.set(one)] as Code,
    /** The total as an f32 on the stack. */
    total: [laneSum(four), op.get(one), op.f32x4ExtractLane(0), op.f32Add()] as Code,
  };
}

/** The address of float32 entry `index` (an i32 local) of the array at `base` (an i32 local). */
const entryOf = (base: number, index: number): Code => [op.get(base), op.get(index), op.i32(2), op.shl(), op.add()];

/** Moves the i32 local `pointer` on by a row of `d` (an i32 local) float32 entries. */
const nextRow = (pointer: number, d: number): Code => [
  op.get(pointer),
  op.get(d),
  op.i32(2),
  op.shl(),
  op.add(),
  op.set(pointer),
];

/** x̂ = (x − μ)·r for the entries at the i32 local `xp`, μ and r splat in the v128 locals `muV`, `rV`. */
const normalisedAt = (xp: number, muV: number, rV: number, lanes: Lanes): Code => [
  op.get(xp),
  lanes.load(),
  op.get(muV),
  op.f32x4Sub(),
  op.get(rV),
  op.f32x4Mul(),
];

function layerNorm(): FunctionSpec {
  const [x, gamma, beta, y, mean, rstd, rows, d, epsilon] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const locals = new Locals(9);
  const [row, j, xp, gp, bp, yp, xRow, yRow] = Array.from({ length: 8 }, () => locals.add(i32));
  const [mu, r] = [locals.add(f32), locals.add(f32)];
  const [muV, rV, centred] = [locals.add(v128), locals.add(v128), locals.add(v128)];
  const acc = accumulator(locals);
  const add = (lanes: Lanes, value: Code): Code => [op.get(acc.of(lanes)), value, op.f32x4Add(), op.set(acc.of(lanes))];
  const perRow: Code = [
    // μ = Σx / d
    acc.reset,
    op.get(xRow),
    op.set(xp),
    overLanes(j, d, (lanes) => add(lanes, [op.get(xp), lanes.load()]), [xp]),
    acc.total,
    op.get(d),
    op.f32ConvertI32U(),
    op.f32Div(),
    op.tee(mu),
    op.f32x4Splat(),
    op.set(muV),
    // r = 1/√(Σ(x − μ)²/d + ε)
    acc.reset,
    op.get(xRow),
    op.set(xp),
    overLanes(
      j,
      d,
      (lanes) =>
        add(lanes, [
          op.get(xp),
          lanes.load(),
          op.get(muV),
          op.f32x4Sub(),
          op.tee(centred),
          op.get(centred),
          op.f32x4Mul(),
        ]),
      [xp],
    ),
    op.f32Const(1),
    acc.total,
    op.get(d),
    op.f32ConvertI32U(),
    op.f32Div(),
    op.get(epsilon),
    op.f32Add(),
    op.f32Sqrt(),
    op.f32Div(),
    op.tee(r),
    op.f32x4Splat(),
    op.set(rV),
    // y = (x − μ)·r·γ + β
    op.get(xRow),
    op.set(xp),
    op.get(gamma),
    op.set(gp),
    op.get(beta),
    op.set(bp),
    op.get(yRow),
    op.set(yp),
    overLanes(
      j,
      d,
      (lanes) => [
        op.get(yp),
        normalisedAt(xp, muV, rV, lanes),
        op.get(gp),
        lanes.load(),
        op.f32x4Mul(),
        op.get(bp),
        lanes.load(),
        op.f32x4Add(),
        lanes.store(),
      ],
      [xp, gp, bp, yp],
    ),
    [entryOf(mean, row), op.get(mu), op.f32Store()],
    [entryOf(rstd, row), op.get(r), op.f32Store()],
    nextRow(xRow, d),
    nextRow(yRow, d),
  ];
  return {
    name: 'layerNorm',
    parameters: [i32, i32, i32, i32, i32, i32, i32, i32, f32],
    locals: locals.types,
    body: [op.get(x), op.set(xRow), op.get(y), op.set(yRow), countUp(row, rows, perRow)],
  };
}

function layerNormGrad(): FunctionSpec {
  const [x, gamma, dy, mean, rstd, dx, dGamma, dBeta, rows, d] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const locals = new Locals(10);
  const [row, j, xp, gp, dyp, dxp, dgp, dbp, xRow, dyRow, dxRow] = Array.from({ length: 11 }, () => locals.add(i32));
  const [muV, rV, normalised, upstream, scaled, gMeanV, gxMeanV] = Array.from({ length: 7 }, () => locals.add(v128));
  const gSum = accumulator(locals);
  const gxSum = accumulator(locals);
  const rowEntry = (base: number): Code => [entryOf(base, row), op.v128Load32Splat()];
  const normalisedOf = (lanes: Lanes): Code => normalisedAt(xp, muV, rV, lanes);
  const broadcastMean = (sum: ReturnType<typeof accumulator>, into: number): Code => [
    sum.total,
    op.get(d),
    op.f32ConvertI32U(),
    op.f32Div(),
    op.f32x4Splat(),
    op.set(into),
  ];
  const perRow: Code = [
    rowEntry(mean),
    op.set(muV),
    rowEntry(rstd),
    op.set(rV),
    gSum.reset,
    gxSum.reset,
    [op.get(xRow), op.set(xp), op.get(gamma), op.set(gp), op.get(dyRow), op.set(dyp)],
    [op.get(dGamma), op.set(dgp), op.get(dBeta), op.set(dbp)],
    // Σ g, Σ g·x̂; dγ += dy·x̂, dβ += dy.
    overLanes(
      j,
      d,
      (lanes) => [
        normalisedOf(lanes),
        op.set(normalised),
        op.get(dyp),
        lanes.load(),
        op.tee(upstream),
        op.get(gp),
        lanes.load(),
        op.f32x4Mul(),
        op.set(scaled),
        [op.get(gSum.of(lanes)), op.get(scaled), op.f32x4Add(), op.set(gSum.of(lanes))],
        [op.get(gxSum.of(lanes)), op.get(scaled), op.get(normalised), op.f32x4Mul(), op.f32x4Add()],
        op.set(gxSum.of(lanes)),
        [op.get(dgp), op.get(dgp), lanes.load(), op.get(upstream), op.get(normalised), op.f32x4Mul(), op.f32x4Add()],
        lanes.store(),
        [op.get(dbp), op.get(dbp), lanes.load(), op.get(upstream), op.f32x4Add(), lanes.store()],
      ],
      [xp, gp, dyp, dgp, dbp],
    ),
    broadcastMean(gSum, gMeanV),
    broadcastMean(gxSum, gxMeanV),
    // dx = r·(dy·γ − mean(g) − x̂·mean(g·x̂))
    [op.get(xRow), op.set(xp), op.get(gamma), op.set(gp), op.get(dyRow), op.set(dyp), op.get(dxRow), op.set(dxp)],
    overLanes(
      j,
      d,
      (lanes) => [
        op.get(dxp),
        op.get(dyp),
        lanes.load(),
        op.get(gp),
        lanes.load(),
        op.f32x4Mul(),
        op.get(gMeanV),
        op.f32x4Sub(),
        normalisedOf(lanes),
        op.get(gxMeanV),
        op.f32x4Mul(),
        op.f32x4Sub(),
        op.get(rV),
        op.f32x4Mul(),
        lanes.store(),
      ],
      [xp, gp, dyp, dxp],
    ),
    nextRow(xRow, d),
    nextRow(dyRow, d),
    nextRow(dxRow, d),
  ];
  const zero = (base: number): Code => [
    op.get(base),
    op.set(dgp),
    overLanes(j, d, (lanes) => [op.get(dgp), op.v128Zero(), lanes.store()], [dgp]),
  ];
  return {
    name: 'layerNormGrad',
    parameters: [i32, i32, i32, i32, i32, i32, i32, i32, i32, i32],
    locals: locals.types,
    body: [
      zero(dGamma),
      zero(dBeta),
      [op.get(x), op.set(xRow), op.get(dy), op.set(dyRow), op.get(dx), op.set(dxRow)],
      countUp(row, rows, perRow),
    ],
  };
}

/** Compiled once per process: the module is a pure function of the code above. */
let compiled: WebAssembly.Module | undefined;

/** The kernels over `memory`, which must hold every array they are given. */
export function layerNormKernels(memory: WebAssembly.Memory): LayerNormKernels {
  compiled ??= new WebAssembly.Module(encodeModule([layerNorm(), layerNormGrad()]));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as LayerNormKernels;
}
