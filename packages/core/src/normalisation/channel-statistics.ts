import * as tf from '@tensorflow/tfjs';
import type { EvaluationBatches } from '../metrics/evaluation-batches';
import type { Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';

/** Per-channel mean and standard deviation of one tap, in float64. */
export interface ChannelStatistics {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Mean and standard deviation of every channel (last axis) of each tap over all samples and
 * positions of `data`, in evaluation mode: what REPAIR measures and matches.
 */
export function channelStatistics(
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  data: EvaluationBatches,
  taps: readonly string[],
): Record<string, ChannelStatistics> {
  const sums: Record<string, { n: number; sum: Float64Array; sumSq: Float64Array }> = {};
  for (const { x } of data.batches) {
    const moments = tf.tidy(() => {
      const { features } = plugin.apply(config, params, x, { taps });
      return taps.map((tap) => {
        const f = features[tap];
        if (!f) throw new Error(`architecture '${plugin.id}' returned no tap '${tap}'`);
        const flat = f.reshape([-1, f.shape[f.rank - 1]]);
        return { n: flat.shape[0], sum: tf.sum(flat, 0), sumSq: tf.sum(tf.square(flat), 0) };
      });
    });
    moments.forEach(({ n, sum, sumSq }, k) => {
      const s = sum.dataSync();
      const q = sumSq.dataSync();
      const into = (sums[taps[k]] ??= { n: 0, sum: new Float64Array(s.length), sumSq: new Float64Array(s.length) });
      into.n += n;
      for (let c = 0; c < s.length; c++) {
        into.sum[c] += s[c];
        into.sumSq[c] += q[c];
      }
      tf.dispose([sum, sumSq]);
    });
  }
  const out: Record<string, ChannelStatistics> = {};
  for (const [tap, { n, sum, sumSq }] of Object.entries(sums)) {
    const mean = sum.map((v) => v / n);
    out[tap] = { mean, std: sumSq.map((v, c) => Math.sqrt(Math.max(0, v / n - mean[c] * mean[c]))) };
  }
  return out;
}
