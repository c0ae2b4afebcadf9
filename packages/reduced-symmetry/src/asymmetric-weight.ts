import * as tf from '@tensorflow/tfjs';

/**
 * The effective weight of a W-asymmetric layer, M⊙W + (1−M)⊙F. Its gradient with respect to W is
 * M⊙∂L/∂W_eff, so fixed entries never receive a gradient, and since F is imposed on every forward
 * pass, whatever weight decay does to W's fixed entries never reaches the network.
 */
export function effectiveWeight(w: tf.Tensor, mask: tf.Tensor, fixed: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(w, mask), fixed);
}
