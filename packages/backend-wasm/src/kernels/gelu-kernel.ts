import * as tf from '@tensorflow/tfjs';
import { GELU, GELU_GRAD } from '@weightspace/core';
import { geluKernels } from '../vector/gelu-kernels';
import { addressOf, perBackend, registerWasmKernels } from './wasm-backend-internals';

/**
 * Registers GELU and GELU_GRAD on the wasm backend (see gelu-kernels.ts). Returns false where
 * the backend's internals are not the expected ones; the GELU op then runs as separate operations.
 */
export function installWasmGeluKernels(): boolean {
  const kernelsFor = perBackend((internals) => geluKernels(internals.wasm.asm.memory));
  return registerWasmKernels({
    [GELU]: (args, internals) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const y = internals.makeOutput([...x.shape], 'float32');
      kernelsFor(internals).gelu(addressOf(internals, x), addressOf(internals, y), tf.util.sizeFromShape(x.shape));
      return y;
    },
    [GELU_GRAD]: (args, internals) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const dx = internals.makeOutput([...x.shape], 'float32');
      const n = tf.util.sizeFromShape(x.shape);
      kernelsFor(internals).geluGrad(addressOf(internals, x), addressOf(internals, dy), addressOf(internals, dx), n);
      return dx;
    },
  });
}
