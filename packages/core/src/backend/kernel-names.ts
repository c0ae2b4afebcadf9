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
