import { type BackendProvider, canResolve, selectTfBackend } from '@weightspace/core';
import { installConvFilterGradientAsConv } from './conv-gradient';
import { installWasmAdamKernel } from './kernels/adam-kernel';
import { installWasmGatherKernel } from './kernels/gather-kernel';
import { installWasmGeluKernels } from './kernels/gelu-kernel';
import { installWasmIdentityKernel, installWasmSameTypeCastKernel } from './kernels/identity-kernel';
import { installWasmLayerNormKernels } from './kernels/layer-norm-kernel';
import { installWasmMatMulKernel } from './kernels/matmul-kernel';
import { installWasmSplitKernel } from './kernels/split-kernel';
import { installWasmSumKernel } from './kernels/sum-kernel';
import { installMatMulGradient } from './matmul-gradient';

/**
 * WebAssembly with SIMD: the default CPU backend, ~30× faster than `cpu` for matMul. Activating it
 * also installs weightspace's own kernels (matMul, gather, leading-axis sum, a fused Adam step,
 * GELU and LayerNorm with their gradients, SplitV by whole runs, a copy-free Identity and
 * same-dtype Cast) and gradients that avoid the backend's slow and missing kernels (convolution
 * filter gradient as a convolution).
 */
export const wasmBackend: BackendProvider = {
  id: 'wasm',
  description: 'WebAssembly (SIMD, one core per process): the default CPU backend',
  preference: 30,
  available: () => canResolve(require.resolve, '@tensorflow/tfjs-backend-wasm'),
  async activate() {
    require('@tensorflow/tfjs-backend-wasm');
    await selectTfBackend('wasm');
    // weightspace's matMul kernel where tfjs's internals allow it; otherwise XNNPACK's, whose
    // transpose flags the gradient must avoid.
    installMatMulGradient(!installWasmMatMulKernel());
    installWasmGatherKernel();
    installWasmSumKernel();
    installWasmIdentityKernel();
    installWasmSameTypeCastKernel();
    installWasmAdamKernel();
    installWasmGeluKernels();
    installWasmLayerNormKernels();
    installWasmSplitKernel();
    installConvFilterGradientAsConv();
  },
};
