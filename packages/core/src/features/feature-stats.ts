import * as tf from '@tensorflow/tfjs';

/** Per-sample vectors: [N, ...] flattened to [N, d]. */
export function perSample(x: tf.Tensor): tf.Tensor2D {
  return x.reshape([x.shape[0], -1]) as tf.Tensor2D;
}

/** Per-sample cosine similarity of two [N, d] matrices; 0 where either vector is zero. */
export function rowCosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const norms = tf.mul(tf.norm(a, 2, 1), tf.norm(b, 2, 1));
    // Clipped: rounding can put |cos| a hair above 1.
    return tf.clipByValue(tf.div(dot, tf.maximum(norms, 1e-12)), -1, 1) as tf.Tensor1D;
  });
}

/** Running sums for a mean and standard deviation over samples, in float64 on the host. */
export class MeanStd {
  private n = 0;
  private sum = 0;
  private sumSq = 0;

  add(values: tf.Tensor1D): void {
    const data = values.dataSync();
    for (let i = 0; i < data.length; i++) {
      this.sum += data[i];
      this.sumSq += data[i] * data[i];
    }
    this.n += data.length;
  }

  get value(): { mean: number; std: number } {
    const mean = this.sum / Math.max(this.n, 1);
    return { mean, std: Math.sqrt(Math.max(0, this.sumSq / Math.max(this.n, 1) - mean * mean)) };
  }
}

/**
 * Accumulates ‖X − Y‖², ‖X‖², ‖Y‖² over batches; `value` is the normalised squared distance
 * ‖X − Y‖² / (‖X‖·‖Y‖): 0 when X = Y, scale-free.
 */
export class NormalisedDistance {
  private diff = 0;
  private xx = 0;
  private yy = 0;

  add(x: tf.Tensor, y: tf.Tensor): void {
    const [d, a, b] = tf.tidy(() => [tf.sum(tf.square(tf.sub(x, y))), tf.sum(tf.square(x)), tf.sum(tf.square(y))]);
    this.diff += d.dataSync()[0];
    this.xx += a.dataSync()[0];
    this.yy += b.dataSync()[0];
    tf.dispose([d, a, b]);
  }

  get value(): number {
    return this.diff / Math.max(Math.sqrt(this.xx * this.yy), 1e-30);
  }
}

/** ‖W_a − W_b‖² / (‖W_a‖·‖W_b‖) for two parameter tensors. */
export function normalisedDistance(a: tf.Tensor, b: tf.Tensor): number {
  const d = new NormalisedDistance();
  d.add(a, b);
  return d.value;
}
