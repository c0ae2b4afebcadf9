import * as tf from '@tensorflow/tfjs';
import { activeBackendHas, composedGelu, GELU, GELU_GRAD } from '@weightspace/core';

/** GELU through the backend's fused kernels (GELU forward, GELU_GRAD backward). */
const fusedGelu = tf.customGrad((...inputs) => {
  const [x, save] = inputs as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.engine().runKernel(GELU, { x }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(GELU_GRAD, { x: saved[0], dy }) as tf.Tensor,
  };
});

/**
 * GELU, exactly: x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's default, not the tanh approximation). One
 * pass each way where the active backend registered the fused kernels (wasm), tfjs's five
 * operations elsewhere; both use the same erf formula, so they agree to float32 rounding.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' && activeBackendHas(GELU) ? (fusedGelu(x) as tf.Tensor) : composedGelu(x);
}
