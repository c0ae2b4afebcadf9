import type * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import type { Group, LayerAxes } from './axes';
import { conv2d, conv2dAxes, initConv2d } from './conv2d';

/**
 * timm's PatchEmbed: non-overlapping `patch`×`patch` patches of an NHWC image, each mapped to a
 * token by `${name}.proj` (a convolution with kernel and stride `patch`, weight [dim, channels, p, p]
 * and bias [dim]); tokens in row-major patch order, [batch, patches, dim].
 */
export function patchEmbedding(params: Params, name: string, images: tf.Tensor4D, patch: number): tf.Tensor3D {
  const maps = conv2d(params, `${name}.proj`, images, { stride: patch, padding: 0 });
  const [n, h, w, dim] = maps.shape;
  return maps.reshape([n, h * w, dim]);
}

/** PyTorch's default initialisation of the projection (uniform in ±1/√(channels·p²)). */
export function initPatchEmbedding(rng: Rng, name: string, channels: number, dim: number, patch: number): Params {
  return initConv2d(rng, `${name}.proj`, channels, dim, patch);
}

/** A patch embedding's spec entries: its output channels write `to` (the residual stream). */
export function patchEmbeddingAxes(name: string, to: Group): LayerAxes {
  return conv2dAxes(`${name}.proj`, to, null, true);
}
