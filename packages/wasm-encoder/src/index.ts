/**
 * @weightspace/wasm-encoder: a small WebAssembly binary encoder (the instructions weightspace's
 * kernels and the assignment solver's scans use) and loop helpers.
 * @packageDocumentation
 */
export * from './encoder';
export { advance, countUp, fourThenOne, Locals, whileFourRemain } from './loops';
