import * as tf from '@tensorflow/tfjs';
import { vectorKernels } from '../vector/vector-kernels';
import { addressOf, internalsOf, perBackend, replaceWasmKernel } from './wasm-backend-internals';

/**
 * Replaces the wasm backend's Sum for float32 sums over leading axes (a bias gradient: a [batch,
 * units] gradient summed over the batch) with a column sum, where the backend's own kernel first
 * transposes the whole input. Other reductions go to the kernel it replaces.
 */
export function installWasmSumKernel(): boolean {
  return replaceWasmKernel(tf.Sum, (original) => {
    const kernelsFor = perBackend((internals) => vectorKernels(internals.wasm.asm.memory));
    return (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
      const internals = internalsOf(args.backend);
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
      const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, k) => a === k);
      if (!internals || x.dtype !== 'float32' || !leading) return original(args);
      const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
      const kept = x.shape.slice(axes.length);
      const shape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
      const out = internals.makeOutput(shape, 'float32');
      kernelsFor(internals).columnSum(
        addressOf(internals, x),
        addressOf(internals, out),
        rows,
        tf.util.sizeFromShape(kept),
      );
      return out;
    };
  });
}
