import * as tf from '@tensorflow/tfjs';
import { addressOf, internalsOf, replaceWasmKernel } from './wasm-backend-internals';

/**
 * Replaces the wasm backend's SplitV for 4-byte elements (float32, int32) with copies of whole
 * runs inside the heap: the backend's own kernel slices each part through a fresh typed-array view
 * per row, ~2 ms to split a transformer's fused q, k and v projections (32 × 64 tokens × 192) into
 * three, which a GPT training step does in every block. Other dtypes go to the kernel it replaces.
 */
export function installWasmSplitKernel(): boolean {
  return replaceWasmKernel(tf.SplitV, (original) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const internals = internalsOf(args.backend);
    if (!internals || (x.dtype !== 'float32' && x.dtype !== 'int32')) return original(args);
    const at = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, at);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, at));
    const inner = tf.util.sizeFromShape(x.shape.slice(at + 1));
    const stride = x.shape[at] * inner;
    const parts = sizes.map((size) =>
      internals.makeOutput(
        x.shape.map((d, i) => (i === at ? size : d)),
        x.dtype,
      ),
    );
    // A view after every makeOutput, which may have grown the heap.
    const heap = new Float32Array(internals.wasm.asm.memory.buffer);
    const source = addressOf(internals, x) / 4;
    let offset = 0;
    sizes.forEach((size, p) => {
      const run = size * inner;
      const target = addressOf(internals, parts[p]) / 4;
      if (run > 0) {
        for (let o = 0; o < outer; o++) {
          const from = source + o * stride + offset;
          heap.copyWithin(target + o * run, from, from + run);
        }
      }
      offset += run;
    });
    return parts;
  });
}
