import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP, type AdamStepAttributes, activeBackendHas } from '../backend/kernel-names';

/** What training needs of an optimizer: one step on the objective's gradient, and cleaning up. */
export interface StepOptimizer {
  /** Takes one step on `variables` along the gradient of `objective`; returns the objective's value. */
  minimize(objective: () => tf.Scalar, variables: tf.Variable[]): tf.Scalar;
  dispose(): void;
}

/** Adam's hyperparameters (tfjs's defaults where omitted): β₁, β₂, ε. */
export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /**
   * Decoupled weight decay (AdamW, Loshchilov & Hutter), as PyTorch's AdamW applies it: the
   * gradient is taken at θ, then θ ← θ·(1 − lr·wd), then the Adam update. 0 (default) is Adam.
   */
  decoupledWeightDecay?: number;
}

/**
 * Adam (Kingma & Ba) as tfjs's and PyTorch's: bias-corrected moments, ε added outside the square
 * root; AdamW with `decoupledWeightDecay`. On the wasm backend each variable's step is one fused
 * kernel (ADAM_STEP) instead of thirteen elementwise passes; elsewhere, and where that kernel is
 * missing, the same formula as separate operations.
 */
export class Adam implements StepOptimizer {
  private readonly moments = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();
  private steps = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly decoupledWeightDecay: number;

  constructor(
    readonly learningRate: number,
    options: AdamOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.decoupledWeightDecay = options.decoupledWeightDecay ?? 0;
  }

  minimize(objective: () => tf.Scalar, variables: tf.Variable[]): tf.Scalar {
    const { value, grads } = tf.variableGrads(objective, variables);
    this.steps++;
    const attributes: AdamStepAttributes = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      correction1: 1 - this.beta1 ** this.steps,
      correction2: 1 - this.beta2 ** this.steps,
    };
    const fused = activeBackendHas(ADAM_STEP);
    for (const variable of variables) {
      const g = grads[variable.name];
      if (!g) continue;
      const state = this.momentsOf(variable);
      tf.tidy(() => {
        const decayed =
          this.decoupledWeightDecay > 0
            ? tf.mul(variable, 1 - this.learningRate * this.decoupledWeightDecay)
            : variable;
        const [theta, m, v] = fused
          ? (tf
              .engine()
              .runKernel(ADAM_STEP, { theta: decayed, m: state.m, v: state.v, g }, { ...attributes }) as tf.Tensor[])
          : separateStep(decayed, state.m, state.v, g, attributes);
        variable.assign(theta);
        state.m.assign(m);
        state.v.assign(v);
      });
    }
    tf.dispose(grads);
    return value;
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  private momentsOf(variable: tf.Variable): { m: tf.Variable; v: tf.Variable } {
    let state = this.moments.get(variable);
    if (!state) {
      state = tf.tidy(() => ({
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
      }));
      this.moments.set(variable, state);
    }
    return state;
  }
}

/** The Adam step as separate operations, in tfjs's order: [θ', m', v']. */
function separateStep(theta: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, a: AdamStepAttributes): tf.Tensor[] {
  const m1 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
  const v1 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
  const update = tf.div(tf.div(m1, a.correction1), tf.add(tf.sqrt(tf.div(v1, a.correction2)), a.epsilon));
  return [tf.sub(theta, tf.mul(update, a.learningRate)), m1, v1];
}
