import { type Code, fourThenOne, op } from '@weightspace/wasm-encoder';

/**
 * How a float32 loop body reads and writes: four lanes at a time, or one entry spread over the
 * four lanes (the tail, fewer than four entries), whose lane 0 is stored. One body, written once
 * against `Lanes`, serves both parts of a loop.
 */
export interface Lanes {
  load: () => Code;
  store: () => Code;
}

/** Four entries per step. */
export const FOUR: Lanes = { load: () => op.v128Load(), store: () => op.v128Store() };

/** One entry per step, in every lane. */
export const ONE: Lanes = {
  load: () => op.v128Load32Splat(),
  store: () => [op.f32x4ExtractLane(0), op.f32Store()],
};

/**
 * `fourThenOne` over `n` (an i32 local) float32 entries at `cursors`, with the same `body` for
 * the four-lane part and the tail; `j` (an i32 local) counts entries.
 */
export function overLanes(j: number, n: number, body: (lanes: Lanes) => Code, cursors: readonly number[]): Code {
  return fourThenOne(j, n, body(FOUR), body(ONE), cursors, 4);
}
