import * as tf from '@tensorflow/tfjs';
import { LAYER_NORM, LAYER_NORM_GRAD } from '@weightspace/core';
import { layerNormKernels } from '../vector/layer-norm-kernels';
import { addressOf, perBackend, registerWasmKernels } from './wasm-backend-internals';

/**
 * Registers LAYER_NORM and LAYER_NORM_GRAD on the wasm backend (see layer-norm-kernels.ts).
 * Returns false where the backend's internals are not the expected ones; LayerNorm then runs as
 * tfjs operations.
 */
export function installWasmLayerNormKernels(): boolean {
  const kernelsFor = perBackend((internals) => layerNormKernels(internals.wasm.asm.memory));
  return registerWasmKernels({
    [LAYER_NORM]: (args, internals) => {
      const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
      const { epsilon } = args.attrs as unknown as { epsilon: number };
      const d = x.shape[x.shape.length - 1];
      const rowShape = x.shape.slice(0, -1);
      const outputs = [
        internals.makeOutput([...x.shape], 'float32'),
        internals.makeOutput(rowShape, 'float32'),
        internals.makeOutput(rowShape, 'float32'),
      ];
      const [at, g, b, y, mean, rstd] = [x, gamma, beta, ...outputs].map((t) => addressOf(internals, t));
      kernelsFor(internals).layerNorm(at, g, b, y, mean, rstd, tf.util.sizeFromShape(rowShape), d, epsilon);
      return outputs;
    },
    [LAYER_NORM_GRAD]: (args, internals) => {
      const { x, gamma, dy, mean, rstd } = args.inputs as Record<'x' | 'gamma' | 'dy' | 'mean' | 'rstd', tf.TensorInfo>;
      const d = x.shape[x.shape.length - 1];
      const outputs = [
        internals.makeOutput([...x.shape], 'float32'),
        internals.makeOutput([d], 'float32'),
        internals.makeOutput([d], 'float32'),
      ];
      const addresses = [x, gamma, dy, mean, rstd, ...outputs].map((t) => addressOf(internals, t));
      const [xAt, g, dyAt, meanAt, rstdAt, dx, dGamma, dBeta] = addresses;
      const rows = tf.util.sizeFromShape(mean.shape);
      kernelsFor(internals).layerNormGrad(xAt, g, dyAt, meanAt, rstdAt, dx, dGamma, dBeta, rows, d);
      return outputs;
    },
  });
}
