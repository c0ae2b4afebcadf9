/**
 * A small WebAssembly binary encoder: just the instructions weightspace's kernels use (the matrix
 * multiply, the assignment solver's scans), and a module of functions over one imported memory
 * (`env.memory`). Code is built as nested arrays of bytes (`Code`) and flattened once, so kernels
 * can be written as plain data.
 */
export type Code = number | readonly Code[];

/** The WebAssembly value type i32. */
export const i32Type = 0x7f;
/** The WebAssembly value type f32. */
export const f32Type = 0x7d;
/** The WebAssembly value type f64. */
export const f64Type = 0x7c;
/** The WebAssembly value type v128 (SIMD). */
export const v128Type = 0x7b;
/** A WebAssembly value type: i32, f32, f64 or v128. */
export type ValueType = typeof i32Type | typeof f32Type | typeof f64Type | typeof v128Type;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(value: number): number[] {
  const out: number[] = [];
  let n = value | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const simd = (opcode: number, ...rest: number[]): number[] => [0xfd, ...uleb(opcode), ...rest];
/** Memory argument: log2 alignment hint, then a constant byte offset. */
const memarg = (alignLog2: number, offset: number): number[] => [alignLog2, ...uleb(offset)];

/** Instructions, by their text-format names. Loads and stores take a constant byte offset. */
export const op = {
  block: (): Code => [0x02, 0x40],
  loop: (): Code => [0x03, 0x40],
  if: (): Code => [0x04, 0x40],
  ifF32: (): Code => [0x04, 0x7d],
  else: (): Code => [0x05],
  end: (): Code => [0x0b],
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  drop: (): Code => [0x1a],
  select: (): Code => [0x1b],
  get: (local: number): Code => [0x20, ...uleb(local)],
  set: (local: number): Code => [0x21, ...uleb(local)],
  tee: (local: number): Code => [0x22, ...uleb(local)],
  i32: (value: number): Code => [0x41, ...sleb(value)],
  f32Const: (value: number): Code => [0x43, ...new Uint8Array(new Float32Array([value]).buffer)],
  eqz: (): Code => [0x45],
  eq: (): Code => [0x46],
  ltS: (): Code => [0x48],
  ltU: (): Code => [0x49],
  gtS: (): Code => [0x4a],
  leU: (): Code => [0x4d],
  geU: (): Code => [0x4f],
  add: (): Code => [0x6a],
  sub: (): Code => [0x6b],
  mul: (): Code => [0x6c],
  and: (): Code => [0x71],
  or: (): Code => [0x72],
  shl: (): Code => [0x74],
  i32Load: (offset = 0): Code => [0x28, ...memarg(2, offset)],
  i32Store: (offset = 0): Code => [0x36, ...memarg(2, offset)],
  f32Load: (offset = 0): Code => [0x2a, ...memarg(2, offset)],
  f32Store: (offset = 0): Code => [0x38, ...memarg(2, offset)],
  f32Add: (): Code => [0x92],
  f32Sub: (): Code => [0x93],
  f32Mul: (): Code => [0x94],
  f32Div: (): Code => [0x95],
  f32Sqrt: (): Code => [0x91],
  f32ConvertI32U: (): Code => [0xb3],
  f64Load: (offset = 0): Code => [0x2b, ...memarg(3, offset)],
  f64Store: (offset = 0): Code => [0x39, ...memarg(3, offset)],
  f64Const: (value: number): Code => [0x44, ...new Uint8Array(new Float64Array([value]).buffer)],
  f64Eq: (): Code => [0x61],
  f64Ne: (): Code => [0x62],
  f64Neg: (): Code => [0x9a],
  f64Lt: (): Code => [0x63],
  f64Add: (): Code => [0xa0],
  f64Sub: (): Code => [0xa1],
  f64Mul: (): Code => [0xa2],
  f64Min: (): Code => [0xa4],
  f64ConvertI32S: (): Code => [0xb7],
  return: (): Code => [0x0f],
  v128Load: (offset = 0): Code => simd(0x00, ...memarg(4, offset)),
  v128Store: (offset = 0): Code => simd(0x0b, ...memarg(4, offset)),
  v128Load32Splat: (offset = 0): Code => simd(0x09, ...memarg(2, offset)),
  v128Zero: (): Code => simd(0x0c, ...new Array<number>(16).fill(0)),
  v128Or: (): Code => simd(0x50),
  v128AnyTrue: (): Code => simd(0x53),
  /** i8x16.shuffle by 32-bit lanes: lanes 0–3 pick from the first operand, 4–7 from the second. */
  shuffle32: (lanes: readonly [number, number, number, number]): Code =>
    simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  v128Bitselect: (): Code => simd(0x52),
  f64x2Splat: (): Code => simd(0x14),
  f64x2ExtractLane: (lane: number): Code => simd(0x21, lane),
  f64x2Eq: (): Code => simd(0x47),
  f64x2Ne: (): Code => simd(0x48),
  f64x2Neg: (): Code => simd(0xed),
  f64x2Lt: (): Code => simd(0x49),
  f64x2Add: (): Code => simd(0xf0),
  f64x2Sub: (): Code => simd(0xf1),
  f64x2Mul: (): Code => simd(0xf2),
  /** b < a ? b : a per lane (minpd on x86; no NaN handling, which the callers exclude). */
  f64x2Pmin: (): Code => simd(0xf6),
  f32x4Splat: (): Code => simd(0x13),
  f32x4Sqrt: (): Code => simd(0xe3),
  f32x4Sub: (): Code => simd(0xe5),
  f32x4Div: (): Code => simd(0xe7),
  f32x4Add: (): Code => simd(0xe4),
  f32x4Mul: (): Code => simd(0xe6),
  f32x4Max: (): Code => simd(0xe9),
  f32x4Abs: (): Code => simd(0xe0),
  /** All ones in the lanes where a < b, zeros elsewhere (a mask for v128.bitselect). */
  f32x4Lt: (): Code => simd(0x43),
  f32x4ExtractLane: (lane: number): Code => simd(0x1f, lane),
  i32x4Splat: (): Code => simd(0x11),
  i32x4Add: (): Code => simd(0xae),
  /** Shift each lane left by an i32 count (mod 32). */
  i32x4Shl: (): Code => simd(0xab),
  /** a·b + c with one rounding where the CPU has FMA (relaxed SIMD). */
  f32x4RelaxedMadd: (): Code => simd(0x105),
};

/** A WebAssembly function to encode: its name, parameter and local types, result type and body. */
export interface FunctionSpec {
  readonly name: string;
  readonly parameters: readonly ValueType[];
  readonly result?: ValueType;
  readonly locals: readonly ValueType[];
  readonly body: Code;
}

function flatten(code: Code, out: number[] = []): number[] {
  if (typeof code === 'number') out.push(code);
  else for (const part of code) flatten(part, out);
  return out;
}

const vector = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...Buffer.from(text, 'utf8')];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

/** Locals as (count, type) runs, as the code section encodes them. */
function localRuns(locals: readonly ValueType[]): number[][] {
  const runs: [number, ValueType][] = [];
  for (const type of locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === type) last[0]++;
    else runs.push([1, type]);
  }
  return runs.map(([count, type]) => [...uleb(count), type]);
}

/** A module exporting `functions` that imports its memory as `env.memory`. */
export function encodeModule(functions: readonly FunctionSpec[]): Uint8Array {
  const types = functions.map((f) => [
    0x60,
    ...vector(f.parameters.map((t) => [t])),
    ...(f.result === undefined ? [0] : [1, f.result]),
  ]);
  const memoryImport = [[...name('env'), ...name('memory'), 0x02, 0x00, 1]];
  const bodies = functions.map((f) => {
    const body = [...vector(localRuns(f.locals)), ...flatten(f.body), 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, vector(types)),
    ...section(2, vector(memoryImport)),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(bodies)),
  ]);
}
