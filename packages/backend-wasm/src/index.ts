/**
 * @weightspace/backend-wasm: tfjs's WebAssembly backend with weightspace's own kernels written as
 * WebAssembly (a register-blocked GEMM with relaxed-SIMD fused multiply-adds, gather, leading-axis
 * sums, a fused Adam step, a copy-free identity) and the gradients that avoid its slow or missing
 * kernels.
 * @packageDocumentation
 */
export { wasmBackend } from './wasm-backend';
export { backendWasmModule, backendWasmManifest } from './backend-wasm-module';
export { installMatMulGradient } from './matmul-gradient';
export { installConvFilterGradientAsConv } from './conv-gradient';
export { installWasmMatMulKernel } from './kernels/matmul-kernel';
export { installWasmGatherKernel } from './kernels/gather-kernel';
export { installWasmSumKernel } from './kernels/sum-kernel';
export { installWasmIdentityKernel } from './kernels/identity-kernel';
export { installWasmAdamKernel } from './kernels/adam-kernel';
export { relaxedSimdAvailable } from './gemm/gemm';
