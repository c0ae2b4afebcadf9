import * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import { type Group, type LayerAxes, writes } from './axes';

/** PyTorch's nn.Embedding: the rows of `${name}.weight` [vocabulary, dim] at integer `ids`. */
export function embedding(params: Params, name: string, ids: tf.Tensor): tf.Tensor {
  return tf.gather(params[`${name}.weight`], ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32'));
}

/** PyTorch's default initialisation of nn.Embedding: N(0, std²) with std 1 (GPT-2 uses 0.02). */
export function initEmbedding(rng: Rng, name: string, vocabulary: number, dim: number, std = 1): Params {
  return { [`${name}.weight`]: tf.tensor2d(rng.normalArray(vocabulary * dim, std), [vocabulary, dim]) };
}

/** An embedding's spec entries: its columns write `to` (the residual stream). */
export function embeddingAxes(name: string, to: Group): LayerAxes {
  return { [`${name}.weight`]: [null, writes(to)] };
}
