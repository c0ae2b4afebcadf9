import * as tf from '@tensorflow/tfjs';
import { activeBackendHas, LAYER_NORM, LAYER_NORM_GRAD } from '@weightspace/core';

/** LayerNorm through the backend's fused kernels, differentiable in x, gamma and beta. */
function fusedLayerNormOf(epsilon: number) {
  return tf.customGrad((...inputs) => {
    const [x, gamma, beta, save] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
    save([x, gamma, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, g, m, r] = saved;
        return tf.engine().runKernel(LAYER_NORM_GRAD, { x: xs, gamma: g, dy, mean: m, rstd: r }) as tf.Tensor[];
      },
    };
  });
}

/** One differentiable function per ε (a model uses one or two). */
const byEpsilon = new Map<number, ReturnType<typeof fusedLayerNormOf>>();

/**
 * LayerNorm over the last axis, (x − μ)/√(σ² + ε)·γ + β, by the active backend's fused kernels
 * (LAYER_NORM forward, LAYER_NORM_GRAD backward); undefined where the backend has none or the
 * tensors are not float32, for the caller to compose it of tfjs operations.
 */
export function fusedLayerNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): tf.Tensor | undefined {
  if (x.dtype !== 'float32' || gamma.dtype !== 'float32' || beta.dtype !== 'float32') return undefined;
  if (!activeBackendHas(LAYER_NORM)) return undefined;
  let fn = byEpsilon.get(epsilon);
  if (!fn) {
    fn = fusedLayerNormOf(epsilon);
    byEpsilon.set(epsilon, fn);
  }
  return fn(x, gamma, beta) as tf.Tensor;
}
