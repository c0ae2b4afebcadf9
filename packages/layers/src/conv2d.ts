import * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import { type Group, type LayerAxes, reads, writes } from './axes';

/** A 2-D convolution's stride and padding. */
export interface Conv2dOptions {
  stride: number;
  /** Zero padding on every side, as PyTorch's `padding=p` (not TensorFlow's 'same', which pads stride-2 layers unevenly). */
  padding: number;
}

/**
 * PyTorch's nn.Conv2d on an NHWC input: `${name}.weight` stored [out, in, kh, kw] (PyTorch's
 * layout, transposed here to tfjs's [kh, kw, in, out]) and an optional `${name}.bias` [out].
 */
export function conv2d(params: Params, name: string, x: tf.Tensor4D, options: Conv2dOptions): tf.Tensor4D {
  const filter = tf.transpose(params[`${name}.weight`], [2, 3, 1, 0]) as tf.Tensor4D;
  const y = tf.conv2d(x, filter, options.stride, options.padding);
  const bias = params[`${name}.bias`];
  return bias ? tf.add(y, bias) : y;
}

/** Shape of a new 2-D convolution: channels in and out, kernel size, and whether it has a bias. */
export interface InitConv2dOptions {
  /**
   * Standard deviation of a normal weight (e.g. Kaiming's √(2 / fan_in)); when omitted, PyTorch's
   * default: weight and bias uniform in ±1/√fan_in.
   */
  std?: number;
  /** 'zeros' (with `std`), 'default' (PyTorch's uniform; the default without `std`) or 'none'. */
  bias?: 'zeros' | 'default' | 'none';
}

/** A convolution's parameters drawn from `rng`: [out, in, k, k] weight, then the bias. */
export function initConv2d(
  rng: Rng,
  name: string,
  inChannels: number,
  outChannels: number,
  kernel: number,
  options: InitConv2dOptions = {},
): Params {
  const fanIn = inChannels * kernel * kernel;
  const bound = 1 / Math.sqrt(fanIn);
  const count = outChannels * fanIn;
  const values =
    options.std === undefined ? rng.uniformArray(count, -bound, bound) : rng.normalArray(count, options.std);
  const params: Params = { [`${name}.weight`]: tf.tensor4d(values, [outChannels, inChannels, kernel, kernel]) };
  const bias = options.bias ?? (options.std === undefined ? 'default' : 'none');
  if (bias === 'zeros') params[`${name}.bias`] = tf.zeros([outChannels]);
  if (bias === 'default') params[`${name}.bias`] = tf.tensor1d(rng.uniformArray(outChannels, -bound, bound));
  return params;
}

/** A convolution's spec entries: its output channels write `to`, its input channels read `from`. */
export function conv2dAxes(name: string, to: Group, from: Group, bias: boolean): LayerAxes {
  return {
    [`${name}.weight`]: [writes(to), reads(from), null, null],
    ...(bias ? { [`${name}.bias`]: [writes(to)] } : {}),
  };
}
