import * as tf from '@tensorflow/tfjs';
import { vectorKernels } from '../vector/vector-kernels';
import { addressOf, internalsOf, perBackend, replaceWasmKernel } from './wasm-backend-internals';

/**
 * Replaces the wasm backend's GatherV2 for 4-byte elements (float32, int32) and no batch axes
 * with a copy of whole slices inside the heap: permuting a 512 × 512 weight along either axis
 * took 12–25 ms in the backend's own kernel, and weight matching and every symmetry transform
 * permute weights all the time. Indices out of range are an error naming the index and the
 * range, as before; other cases go to the kernel it replaces.
 */
export function installWasmGatherKernel(): boolean {
  return replaceWasmKernel(tf.GatherV2, (original) => {
    const kernelsFor = perBackend((internals) => vectorKernels(internals.wasm.asm.memory));
    return (args) => {
      const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
      const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
      const internals = internalsOf(args.backend);
      const wordSized = x.dtype === 'float32' || x.dtype === 'int32';
      if (!internals || !wordSized || indices.dtype !== 'int32' || batchDims !== 0) return original(args);

      const at = tf.util.parseAxisParam(axis, x.shape)[0];
      const size = x.shape[at];
      const outer = tf.util.sizeFromShape(x.shape.slice(0, at));
      const inner = tf.util.sizeFromShape(x.shape.slice(at + 1));
      const count = tf.util.sizeFromShape(indices.shape);
      const out = internals.makeOutput([...x.shape.slice(0, at), ...indices.shape, ...x.shape.slice(at + 1)], x.dtype);
      if (count === 0 || outer * inner === 0) return out;
      // Views after makeOutput, which may have grown the heap.
      const heap = new Int32Array(internals.wasm.asm.memory.buffer);
      const index = heap.subarray(addressOf(internals, indices) / 4, addressOf(internals, indices) / 4 + count);
      for (let i = 0; i < count; i++) {
        if (index[i] < 0 || index[i] >= size)
          throw new Error(`GatherV2: the index value ${index[i]} is not in [0, ${size - 1}]`);
      }
      if (inner === 1) {
        kernelsFor(internals).gatherElements(
          addressOf(internals, x),
          addressOf(internals, out),
          outer,
          size,
          addressOf(internals, indices),
          count,
        );
        return out;
      }
      const source = addressOf(internals, x) / 4;
      const target = addressOf(internals, out) / 4;
      for (let o = 0; o < outer; o++) {
        const from = source + o * size * inner;
        const to = target + o * count * inner;
        for (let i = 0; i < count; i++)
          heap.copyWithin(to + i * inner, from + index[i] * inner, from + (index[i] + 1) * inner);
      }
      return out;
    };
  });
}
