import * as tf from '@tensorflow/tfjs';

/** 0 where position j ≤ i may be attended from i, −∞ (a large negative) elsewhere: [T, T]. */
export function causalMask(positions: number): tf.Tensor2D {
  const allowed = tf.linalg.bandPart(tf.ones([positions, positions]), -1, 0);
  return tf.mul(tf.sub(1, allowed), -1e9) as tf.Tensor2D;
}
