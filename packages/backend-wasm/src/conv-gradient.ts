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
 * gradient is a stride-1 convolution too (see `inputGradient`): wasm's transposed convolution
 * runs at a tenth of its forward convolution's speed. NHWC, no dilation in the forward pass (as
 * tfjs's own gradient requires).
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
        x: () => inputGradient(x.shape, grad, filter, [sh, sw], pad, dimRoundingMode),
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
  const padded =
    top || bottom || left || right
      ? tf.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ])
      : x;
  const input = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
  const kernel = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const full = tf.conv2d(input, kernel, 1, 'valid', 'NHWC', strides);
  const cropped = full.shape[1] === kh && full.shape[2] === kw ? full : tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
}

/**
 * dx of y = conv2d(x, W, stride s, padding (top, left)): with dy spread out by s (s − 1 zeros
 * between neighbours), dx[j] = Σ_a spread[j + top − a]·W[a], a stride-1 correlation with the
 * spatially flipped filter, its in and out channels swapped, padded k − 1 − top before and
 * whatever makes the output H long after (cropped where that is negative).
 */
function inputGradient(
  xShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  pad: 'valid' | 'same' | number,
  roundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  const [, height, width] = xShape;
  const info = tf.backend_util.computeConv2DInfo(xShape, filter.shape, strides, 1, pad, roundingMode);
  const spread = spreadOut(dy, strides);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  const before = [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left];
  const after = [height - spread.shape[1] - before[0] + kh - 1, width - spread.shape[2] - before[1] + kw - 1];
  const padded = tf.pad(spread, [
    [0, 0],
    [Math.max(before[0], 0), Math.max(after[0], 0)],
    [Math.max(before[1], 0), Math.max(after[1], 0)],
    [0, 0],
  ]);
  const cropped = tf.slice(
    padded,
    [0, Math.max(-before[0], 0), Math.max(-before[1], 0), 0],
    [
      -1,
      padded.shape[1] - Math.max(-before[0], 0) - Math.max(-after[0], 0),
      padded.shape[2] - Math.max(-before[1], 0) - Math.max(-after[1], 0),
      -1,
    ],
  );
  return tf.conv2d(cropped, flipped, 1, 'valid');
}

/** dy with s − 1 zeros after every entry along height and width (stride 1: dy itself). */
function spreadOut(dy: tf.Tensor4D, [sh, sw]: [number, number]): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const rows = tf
    .pad(dy.reshape([n, h, 1, w, c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, 0],
    ])
    .reshape([n, h * sh, w, 1, c]);
  return tf
    .pad(rows, [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ])
    .reshape([n, h * sh, w * sw, c]);
}
