import * as tf from '@tensorflow/tfjs';
import { type MatrixView, WasmGemm } from '../gemm/gemm';
import { addressOf, internalsOf, perBackend, replaceWasmKernel } from './wasm-backend-internals';

/**
 * Replaces the wasm backend's BatchMatMul with weightspace's own kernel (`WasmGemm`), which runs
 * in the backend's heap: 1.3–1.8× XNNPACK's speed on the MLP's products (fused multiply-adds from
 * relaxed SIMD), and as fast with transpose flags as without (XNNPACK's flagged path is 15–50×
 * slower). Returns false, changing nothing, when the backend's internals are not the expected
 * ones; the caller then keeps gradients free of transpose flags.
 *
 * Only float32 operands with equal or broadcast (size-1) batches take the new path; anything else
 * goes to the kernel it replaces.
 */
export function installWasmMatMulKernel(): boolean {
  return replaceWasmKernel(tf.BatchMatMul, (original) => {
    const gemmFor = perBackend((internals) =>
      WasmGemm.create(internals.wasm.asm.memory, {
        allocate: (bytes) => internals.wasm._malloc(bytes),
        release: (address) => internals.wasm._free(address),
      }),
    );
    return (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const internals = internalsOf(args.backend);
      const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
      const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
      const broadcastable = batchA === batchB || batchA === 1 || batchB === 1;
      if (!internals || a.dtype !== 'float32' || b.dtype !== 'float32' || !broadcastable) return original(args);

      const [aRows, aColumns] = a.shape.slice(-2);
      const [bRows, bColumns] = b.shape.slice(-2);
      const [rows, depth] = transposeA ? [aColumns, aRows] : [aRows, aColumns];
      const [depthB, columns] = transposeB ? [bColumns, bRows] : [bRows, bColumns];
      if (depth !== depthB) {
        throw new Error(
          `Error in matMul: inner shapes (${depth}) and (${depthB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
        );
      }
      const outerShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const out = internals.makeOutput([...outerShape, rows, columns], 'float32');
      const [aBase, bBase, cBase] = [addressOf(internals, a), addressOf(internals, b), addressOf(internals, out)];
      // Stored A is aRows × aColumns, row-major; transposing swaps which stride walks the logical rows.
      const aView = (batch: number): MatrixView => ({
        address: aBase + batch * aRows * aColumns * 4,
        ...(transposeA ? { rowStride: 4, columnStride: aColumns * 4 } : { rowStride: aColumns * 4, columnStride: 4 }),
      });
      const bView = (batch: number): MatrixView => ({
        address: bBase + batch * bRows * bColumns * 4,
        ...(transposeB ? { rowStride: 4, columnStride: bColumns * 4 } : { rowStride: bColumns * 4, columnStride: 4 }),
      });
      const gemm = gemmFor(internals);
      const batches = Math.max(batchA, batchB);
      for (let batch = 0; batch < batches; batch++) {
        const c = { address: cBase + batch * rows * columns * 4, rowStride: columns * 4 };
        gemm.multiply(aView(batchA === 1 ? 0 : batch), bView(batchB === 1 ? 0 : batch), c, rows, columns, depth);
      }
      return out;
    };
  });
}
