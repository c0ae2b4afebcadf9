import * as tf from '@tensorflow/tfjs';

/**
 * Re-registers the Conv2D gradient so that it needs no Conv2DBackpropFilter kernel, which the
 * wasm backend lacks (convolutional training would otherwise fail there). The filter gradient is
 * itself a convolution: with x padded as the forward pass pads it,
 *
 *   dW[a, b, ci, co] = Σ_{n,i,j} x[n, s·i + a, s·j + b, ci] · dy[n, i, j, co],
 *
 * which is conv2d(xᵀ, dyᵀ) with the batch and channel axes swapped (x as [Ci, H, W, N], dy as a
 * filter [Ho, Wo, N, Co]), stride 1 and dilation s, cropped to the filter's size. The input
 * gradient keeps tfjs's transposed convolution, which wasm has. NHWC, no dilation in the forward
 * pass (as tfjs's own gradient requires).
 */
export function installConvFilterGradientAsConv(): void {
  tf.registerGradient({
    kernelName: tf.Conv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const strides = attrs.strides as [number, number] | number;
      const pad = attrs.pad as 'valid' | 'same' | number;
      const dimRoundingMode = attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined;
      const grad = dy as tf.Tensor4D;
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      return {
        x: () => tf.conv2dTranspose(grad, filter, x.shape, [sh, sw], pad as 'valid' | 'same' | number),
        filter: () => filterGradient(x, grad, filter.shape, [sh, sw], pad, dimRoundingMode),
      };
    },
  });
}

function filterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
  pad: 'valid' | 'same' | number,
  roundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const [kh, kw] = filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, roundingMode);
  const { top, bottom, left, right } = info.padInfo;
  const padded = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const input = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
  const kernel = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const full = tf.conv2d(input, kernel, 1, 'valid', 'NHWC', strides);
  const cropped = full.shape[1] === kh && full.shape[2] === kw ? full : tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
}
