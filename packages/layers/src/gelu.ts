import * as tf from '@tensorflow/tfjs';
import { GELU, GELU_GRAD } from '@weightspace/core';

/** GELU as tfjs operations: ½x(1 + erf(x/√2)). */
function composedGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

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
  return x.dtype === 'float32' && tf.getKernel(GELU, tf.getBackend()) !== undefined
    ? (fusedGelu(x) as tf.Tensor)
    : composedGelu(x);
}
