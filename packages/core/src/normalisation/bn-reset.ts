import * as tf from '@tensorflow/tfjs';
import type { EvaluationBatches } from '../metrics/evaluation-batches';
import { cloneParams, type Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import { batchMoments } from './running-statistics';

/**
 * BN reset: recomputes every normalisation layer's running statistics for `params` (typically an
 * interpolated or merged model, whose inherited statistics describe neither endpoint) from
 * forward passes in training mode over `data`, as PyTorch does with momentum None: the running
 * mean and variance become the averages of the batch means and unbiased batch variances. Returns
 * new parameters (the input is left as it is); a network without normalisation state gets a copy.
 *
 * @param plugin the architecture (its `normalisation` lists the running statistics)
 * @param config its config
 * @param params the model whose statistics to recompute (left as it is)
 * @param data the training batches the statistics are measured on
 * @returns new parameters with recomputed running means and variances
 * @example
 * ```ts
 * import { EvaluationBatches, makeBlobs, resetBatchNorm, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 128, separation: 2, seed: 0 });
 * const batches = EvaluationBatches.forModel(data.train, toyPerceptron, config);
 * // The toy perceptron has no BatchNorm: this returns a copy. A ResNet gets new statistics.
 * const reset = resetBatchNorm(toyPerceptron, config, toyPerceptron.init(config, 0), batches);
 * console.log(Object.keys(reset));
 * ```
 */
export function resetBatchNorm(
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  data: EvaluationBatches,
): Params {
  const norms = plugin.normalisation(config);
  const out = cloneParams(params);
  if (norms.length === 0 || data.batches.length === 0) return out;
  const taps = norms.map((n) => n.tap);
  const totals = tf.tidy(() =>
    norms.map((n) => ({ mean: tf.zerosLike(params[n.runningMean]), variance: tf.zerosLike(params[n.runningVar]) })),
  );
  for (const { x } of data.batches) {
    tf.tidy(() => {
      const { features } = plugin.apply(config, params, x, { train: true, taps });
      norms.forEach((n, k) => {
        const { mean, variance } = batchMoments(features[n.tap]);
        const next = {
          mean: tf.keep(tf.add(totals[k].mean, mean)),
          variance: tf.keep(tf.add(totals[k].variance, variance)),
        };
        tf.dispose([totals[k].mean, totals[k].variance]);
        totals[k] = next;
      });
    });
  }
  norms.forEach((n, k) => {
    out[n.runningMean].dispose();
    out[n.runningVar].dispose();
    out[n.runningMean] = tf.tidy(() => tf.div(totals[k].mean, data.batches.length));
    out[n.runningVar] = tf.tidy(() => tf.div(totals[k].variance, data.batches.length));
    tf.dispose([totals[k].mean, totals[k].variance]);
  });
  return out;
}
