import * as tf from '@tensorflow/tfjs';
import { internalsOf, replaceWasmKernel } from './wasm-backend-internals';

/**
 * Replaces the wasm backend's Identity, which copies its input, with one that shares the input's
 * data (as the cpu backend's does, and as wasm's own Reshape does). tfjs clones every input an
 * operation saves for its gradient through Identity: 26 copies per MLP training step, among them
 * the 512 × 784 input batch. Nothing in weightspace or tfjs's wasm kernels writes into an input,
 * so a shared buffer is never changed under a clone.
 */
export function installWasmIdentityKernel(): boolean {
  return replaceWasmKernel(tf.Identity, (original) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const internals = internalsOf(args.backend);
    if (!internals || x.dtype === 'string') return original(args);
    internals.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}

/**
 * Replaces the wasm backend's Cast where the dtype does not change (which copies the input) with
 * the same sharing as Identity: tfjs's gradients of multiplication and division cast their saved
 * inputs to float32 whatever they are, a copy of each saved activation per step. Real casts go
 * to the kernel it replaces.
 */
export function installWasmSameTypeCastKernel(): boolean {
  return replaceWasmKernel(tf.Cast, (original) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as { dtype: tf.DataType };
    const internals = internalsOf(args.backend);
    if (!internals || x.dtype !== dtype || x.dtype === 'string') return original(args);
    internals.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
