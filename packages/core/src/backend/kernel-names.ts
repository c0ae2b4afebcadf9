import * as tf from '@tensorflow/tfjs';

/**
 * Names and attributes of the kernels weightspace defines beyond tfjs's own, kept apart from their
 * implementations (as tfjs-core keeps its kernel names apart from the backends): core's code runs
 * a kernel by name where a backend registered it, and a backend package registers it.
 */

/** One fused Adam step per variable: inputs {theta, m, v, g} (float32, one shape), outputs [θ', m', v']. */
export const ADAM_STEP = 'WeightspaceAdamStep';

/** The hyperparameters and step count of one fused Adam kernel call (`ADAM_STEP`). */
export interface AdamStepAttributes {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ at this step t. */
  correction1: number;
  correction2: number;
}

/**
 * The exact GELU, x·Φ(x) (Φ the standard normal CDF), in one pass: input {x} (float32), output of
 * x's shape. A backend that registers it registers `GELU_GRAD` too.
 */
export const GELU = 'WeightspaceGelu';

/** GELU's gradient in one pass: inputs {x, dy} (float32, one shape), output dy·(Φ(x) + x·φ(x)). */
export const GELU_GRAD = 'WeightspaceGeluGrad';

/**
 * LayerNorm over the last axis in one pass: inputs {x, gamma, beta} (float32; gamma and beta of
 * x's last dimension), attribute `epsilon`; outputs [y, mean, rstd], mean and 1/√(variance + ε)
 * per row of the last axis (shape x.shape without it), for `LAYER_NORM_GRAD`. A backend that
 * registers it registers `LAYER_NORM_GRAD` too.
 */
export const LAYER_NORM = 'WeightspaceLayerNorm';

/**
 * LayerNorm's gradient: inputs {x, gamma, dy, mean, rstd} (mean and rstd from `LAYER_NORM`),
 * outputs [dx, dgamma, dbeta].
 */
export const LAYER_NORM_GRAD = 'WeightspaceLayerNormGrad';

/** Whether the active tfjs backend registered the kernel `name` (where core and layers run it). */
export function activeBackendHas(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
