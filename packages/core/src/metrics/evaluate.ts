import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import type { EvaluationBatches } from './evaluation-batches';
import { type HostReads, readSynchronously } from '../params/host-reads';

/** Mean cross-entropy and accuracy of a model on a split, per label (per character for a language model). */
export interface Evaluation {
  /** Mean cross-entropy over the samples. */
  loss: number;
  /** Fraction classified correctly, in [0, 1]. */
  accuracy: number;
}

/** Per batch, in batch order: the summed loss and the number of correct predictions. */
export interface BatchSums {
  loss: number[];
  hits: number[];
}

/**
 * Loss and accuracy from per-batch sums, added in batch order in float64: the same numbers however
 * the batches were shared out (threads evaluating whole batches give back exactly one thread's).
 */
export function evaluationFromBatchSums(parts: readonly BatchSums[], count: number): Evaluation {
  let loss = 0;
  let hits = 0;
  for (const part of parts) {
    for (const value of part.loss) loss += value;
    for (const value of part.hits) hits += value;
  }
  return { loss: loss / count, accuracy: hits / count };
}

/** Mean softmax cross-entropy of integer labels, as a scalar tensor. */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits as tf.Tensor2D);
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(labels, logits.shape[1] as number)), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/**
 * Loss and accuracy of `params` over every batch, accumulated in float64 on the host. With an
 * `inverseTemperature` β the loss is that of softmax(β·logits); accuracy does not depend on β.
 *
 * @param plugin the architecture
 * @param config its config
 * @param params the model's parameters
 * @param data the batches to evaluate on
 * @param inverseTemperature β: the loss is that of softmax(β·logits) (default 1)
 * @returns the mean cross-entropy and the accuracy over every sample
 * @example
 * ```ts
 * import { EvaluationBatches, evaluate, makeBlobs, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 128, separation: 2, seed: 0 });
 * const batches = EvaluationBatches.forModel(data.test, toyPerceptron, config);
 * const { loss, accuracy } = evaluate(toyPerceptron, config, toyPerceptron.init(config, 0), batches);
 * console.log(loss, accuracy);
 * batches.dispose();
 * ```
 */
export function evaluate(
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  data: EvaluationBatches,
  inverseTemperature = 1,
): Evaluation {
  const { loss, accuracy } = readSynchronously(
    evaluationReads(data, (x) => plugin.apply(config, params, x).logits, inverseTemperature),
  );
  // Only the figures: the per-batch sums stay with callers that put split evaluations together.
  return { loss, accuracy };
}

/**
 * `evaluate` for any way of computing a batch's logits (`logitsOf(x, k)` for batch k, called inside
 * a tidy), as host reads (see HostReads): one per batch, its summed loss and its number of correct
 * predictions in one tensor.
 */
export function* evaluationReads(
  data: EvaluationBatches,
  logitsOf: (x: tf.Tensor, batch: number) => tf.Tensor,
  inverseTemperature = 1,
): HostReads<Evaluation & { batches: BatchSums }> {
  const batches: BatchSums = { loss: [], hits: [] };
  for (const [k, { x, y }] of data.batches.entries()) {
    const sums = tf.tidy(() => {
      const raw = logitsOf(x, k);
      const logits = inverseTemperature === 1 ? raw : tf.mul(raw, inverseTemperature);
      const total = tf.mul(crossEntropy(logits, y), y.shape[0]);
      const right = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
      return tf.stack([total, right]);
    });
    try {
      const [loss, hits] = yield sums;
      batches.loss.push(loss);
      batches.hits.push(hits);
    } finally {
      sums.dispose();
    }
  }
  return { ...evaluationFromBatchSums([batches], data.labels), batches };
}

/** The logits of every batch, concatenated on the host, with their labels. */
export function collectLogits(
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  data: EvaluationBatches,
): { logits: Float32Array; labels: Int32Array; classes: number } {
  const parts: Float32Array[] = [];
  const labels: Int32Array[] = [];
  let classes = 0;
  for (const { x, y } of data.batches) {
    const logits = tf.tidy(() => plugin.apply(config, params, x).logits);
    classes = logits.shape[1] as number;
    parts.push(logits.dataSync() as Float32Array);
    labels.push(y.dataSync() as Int32Array);
    logits.dispose();
  }
  const join = <T extends Float32Array | Int32Array>(arrays: T[], make: (n: number) => T): T => {
    const out = make(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  return { logits: join(parts, (n) => new Float32Array(n)), labels: join(labels, (n) => new Int32Array(n)), classes };
}
