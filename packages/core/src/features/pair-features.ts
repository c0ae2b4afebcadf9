import * as tf from '@tensorflow/tfjs';
import type { EvaluationBatches } from '../metrics/evaluation-batches';
import { lerp } from '../metrics/interpolate';
import { disposeParams, type Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import type { ProgressSink } from '../progress/progress';

/** One batch's feature taps (and logits) of A, of B and of each mixture wA + (1−w)B. */
export interface PairBatch {
  x: tf.Tensor;
  fa: Record<string, tf.Tensor>;
  fb: Record<string, tf.Tensor>;
  mixed: Array<Record<string, tf.Tensor>>;
}

/** The plugin's feature taps and its logits, in forward order. */
export function tapsOf(
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  x: tf.Tensor,
): Record<string, tf.Tensor> {
  const { logits, features } = plugin.apply(config, params, x);
  return { ...features, logits };
}

/**
 * Visits every batch with the features of A, B and the mixtures w·A + (1−w)·B for each weight,
 * inside one tf.tidy per batch (the visitor keeps no tensors); builds and frees the mixtures.
 */
export function scanPairFeatures(
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  weights: readonly number[],
  data: EvaluationBatches,
  visit: (batch: PairBatch) => void,
  progress?: { sink?: ProgressSink; task: string },
): void {
  const mixtures = weights.map((w) => lerp(b, a, w));
  try {
    data.batches.forEach(({ x }, k) => {
      tf.tidy(() => {
        visit({
          x,
          fa: tapsOf(plugin, config, a, x),
          fb: tapsOf(plugin, config, b, x),
          mixed: mixtures.map((m) => tapsOf(plugin, config, m, x)),
        });
      });
      progress?.sink?.({ task: progress.task, done: k + 1, total: data.batches.length });
    });
  } finally {
    mixtures.forEach(disposeParams);
  }
}
