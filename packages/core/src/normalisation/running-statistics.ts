import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';
import type { NormalisationState } from '../plugin/architecture';

/** PyTorch's BatchNorm momentum: running ← (1 − m)·running + m·batch. */
export const RUNNING_MOMENTUM = 0.1;

/**
 * Per-channel mean and unbiased variance of a feature map over every axis but the last (the
 * channel axis of NHWC maps and of [N, units] matrices), as PyTorch's BatchNorm tracks them.
 */
export function batchMoments(feature: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  return tf.tidy(() => {
    const channels = feature.shape[feature.rank - 1];
    const flat = feature.reshape([-1, channels]);
    const n = flat.shape[0];
    const { mean, variance } = tf.moments(flat, 0);
    return { mean: mean as tf.Tensor1D, variance: tf.mul(variance, n / Math.max(n - 1, 1)) as tf.Tensor1D };
  });
}

/**
 * The running statistics of a network's normalisation layers during training: each step
 * `observe`s the taps of the forward pass (the moments do not reach the loss, so no gradient
 * flows through them) and `update` folds them in with PyTorch's momentum. The initial tensors
 * are never disposed; the ones it creates are.
 */
export class RunningStatistics {
  readonly values: Params = {};
  private readonly owned = new Set<tf.Tensor>();
  private pending: Array<{ state: NormalisationState; mean: tf.Tensor1D; variance: tf.Tensor1D }> = [];

  constructor(
    private readonly norms: readonly NormalisationState[],
    initial: Params,
  ) {
    for (const n of norms) {
      this.values[n.runningMean] = initial[n.runningMean];
      this.values[n.runningVar] = initial[n.runningVar];
    }
  }

  holds(name: string): boolean {
    return name in this.values;
  }

  observe(features: Record<string, tf.Tensor>): void {
    this.pending.forEach(({ mean, variance }) => tf.dispose([mean, variance]));
    this.pending = this.norms.map((state) => {
      const moments = batchMoments(features[state.tap]);
      return { state, mean: tf.keep(moments.mean), variance: tf.keep(moments.variance) };
    });
  }

  update(): void {
    for (const { state, mean, variance } of this.pending) {
      this.replace(
        state.runningMean,
        tf.tidy(() =>
          tf.add(tf.mul(this.values[state.runningMean], 1 - RUNNING_MOMENTUM), tf.mul(mean, RUNNING_MOMENTUM)),
        ),
      );
      this.replace(
        state.runningVar,
        tf.tidy(() =>
          tf.add(tf.mul(this.values[state.runningVar], 1 - RUNNING_MOMENTUM), tf.mul(variance, RUNNING_MOMENTUM)),
        ),
      );
      tf.dispose([mean, variance]);
    }
    this.pending = [];
  }

  dispose(): void {
    this.pending.forEach(({ mean, variance }) => tf.dispose([mean, variance]));
    this.owned.forEach((t) => t.dispose());
    this.owned.clear();
  }

  private replace(name: string, next: tf.Tensor): void {
    const previous = this.values[name];
    if (this.owned.delete(previous)) previous.dispose();
    this.values[name] = next;
    this.owned.add(next);
  }
}
