import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params/params';
import type { AffineStem } from '../plugin/architecture';
import type { HostReads } from '../params/host-reads';
import { type BatchSums, type Evaluation, evaluationReads } from './evaluate';
import type { EvaluationBatches } from './evaluation-batches';

/**
 * The stem outputs of both endpoints on every evaluation batch, computed on first use and kept,
 * so each point of a curve evaluates the model from (1−t)·stem_A + t·stem_B on (see AffineStem):
 * for the MNIST MLP 784-512-512-512-10 that skips 43 % of each point's multiply-adds. Owns its
 * tensors: call `dispose()`.
 */
export class EndpointStems {
  private readonly outputs: Array<[tf.Tensor, tf.Tensor] | undefined>;

  constructor(
    private readonly stem: AffineStem,
    private readonly config: unknown,
    private readonly a: Params,
    private readonly b: Params,
    private readonly data: EvaluationBatches,
  ) {
    this.outputs = data.batches.map(() => undefined);
  }

  /** Loss and accuracy of `mixed` = (1−t)A + tB, computed from the endpoints' stem outputs (as host reads). */
  evaluationAt(mixed: Params, t: number): HostReads<Evaluation & { batches: BatchSums }> {
    return evaluationReads(this.data, (x, k) => {
      const [za, zb] = this.outputsOf(x, k);
      // Exactly stem_A at t = 0 and stem_B at t = 1.
      const z = t === 0 ? za : t === 1 ? zb : tf.add(tf.mul(za, 1 - t), tf.mul(zb, t));
      return this.stem.rest(this.config, mixed, z);
    });
  }

  dispose(): void {
    for (const pair of this.outputs) if (pair) tf.dispose(pair);
    this.outputs.fill(undefined);
  }

  private outputsOf(x: tf.Tensor, k: number): [tf.Tensor, tf.Tensor] {
    let pair = this.outputs[k];
    if (!pair) {
      pair = tf.tidy(
        () =>
          [this.stem.stem(this.config, this.a, x), this.stem.stem(this.config, this.b, x)] as [tf.Tensor, tf.Tensor],
      );
      tf.keep(pair[0]);
      tf.keep(pair[1]);
      this.outputs[k] = pair;
    }
    return pair;
  }
}
