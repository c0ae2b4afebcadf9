import * as tf from '@tensorflow/tfjs';
import { GELU, GELU_GRAD } from '@weightspace/core';
import { geluKernels } from '../vector/gelu-kernels';
import { addressOf, internalsOf, perBackend } from './wasm-backend-internals';

/**
 * Registers GELU and GELU_GRAD on the wasm backend (see gelu-kernels.ts). Returns false where
 * the backend's internals are not the expected ones; the GELU op then runs as separate operations.
 */
export function installWasmGeluKernels(): boolean {
  if (!internalsOf(tf.findBackend('wasm'))) return false;
  if (tf.getKernel(GELU, 'wasm')) return true;
  const kernelsFor = perBackend((internals) => geluKernels(internals.wasm.asm.memory));
  tf.registerKernel({
    kernelName: GELU,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const internals = internalsOf(args.backend)!;
      const y = internals.makeOutput([...x.shape], 'float32');
      kernelsFor(internals).gelu(addressOf(internals, x), addressOf(internals, y), tf.util.sizeFromShape(x.shape));
      return y;
    },
  });
  tf.registerKernel({
    kernelName: GELU_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const internals = internalsOf(args.backend)!;
      const dx = internals.makeOutput([...x.shape], 'float32');
      const n = tf.util.sizeFromShape(x.shape);
      kernelsFor(internals).geluGrad(addressOf(internals, x), addressOf(internals, dy), addressOf(internals, dx), n);
      return dx;
    },
  });
  return true;
}
