import * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import type { Group, LayerAxes } from './axes';
import { initLinear, linear, linearAxes } from './linear';

/**
 * Where a multi-head attention layer keeps its projections: one fused q/k/v projection
 * [3·dim, dim] in q, k, v order (timm's `attn.qkv`, nanoGPT's `attn.c_attn`) and an output
 * projection, or separate q, k, v and output projections [dim, dim] (PyTorch-style `q_proj`, …).
 */
export type AttentionNames =
  { layout: 'fused'; qkv: string; out: string } | { layout: 'separate'; q: string; k: string; v: string; out: string };

/**
 * Shape of a multi-head attention block: model width, heads, causal mask, and whether q, k and v
 * are one fused tensor.
 */
export interface AttentionOptions {
  heads: number;
  /** Each position attends only to itself and earlier ones (a decoder). */
  causal?: boolean;
}

/**
 * Multi-head scaled dot-product attention on tokens [batch, positions, dim]: per head
 * softmax(q·kᵀ/√d_head)·v, heads concatenated in order, then the output projection. Projections
 * are PyTorch linear layers (see `linear`); the head of feature f is ⌊f / d_head⌋.
 */
export function multiHeadAttention(
  params: Params,
  names: AttentionNames,
  x: tf.Tensor3D,
  options: AttentionOptions,
): tf.Tensor3D {
  const [batch, positions, dim] = x.shape;
  const headDim = dim / options.heads;
  const [q, k, v] =
    names.layout === 'fused'
      ? tf.split(linear(params, names.qkv, x), 3, -1)
      : [names.q, names.k, names.v].map((name) => linear(params, name, x));
  const perHead = (t: tf.Tensor) => tf.transpose(t.reshape([batch, positions, options.heads, headDim]), [0, 2, 1, 3]);
  const scores = tf.mul(tf.matMul(perHead(q), perHead(k), false, true), 1 / Math.sqrt(headDim));
  const masked = options.causal ? tf.add(scores, causalMask(positions)) : scores;
  const mixed = tf.matMul(tf.softmax(masked), perHead(v));
  const joined = tf.transpose(mixed, [0, 2, 1, 3]).reshape([batch, positions, dim]);
  return linear(params, names.out, joined) as tf.Tensor3D;
}

/** 0 where position j ≤ i may be attended from i, −∞ (a large negative) elsewhere: [T, T]. */
function causalMask(positions: number): tf.Tensor2D {
  const allowed = tf.linalg.bandPart(tf.ones([positions, positions]), -1, 0);
  return tf.mul(tf.sub(1, allowed), -1e9) as tf.Tensor2D;
}

/** PyTorch's default initialisation of every projection (nn.Linear), q/k/v before the output. */
export function initAttention(rng: Rng, names: AttentionNames, dim: number, bias = true): Params {
  const projections: Array<[string, number]> =
    names.layout === 'fused'
      ? [[names.qkv, 3 * dim]]
      : [
          [names.q, dim],
          [names.k, dim],
          [names.v, dim],
        ];
  return Object.assign(
    {},
    ...projections.map(([name, out]) => initLinear(rng.fork(name), name, dim, out, bias)),
    initLinear(rng.fork(names.out), names.out, dim, dim, bias),
  );
}

/**
 * An attention layer's spec entries: the projections read the residual stream `stream` and the
 * output projection writes it; with separate projections, `heads` (a block-permutation group
 * with block size d_head) permutes the heads: the rows of q, k and v and the output projection's
 * columns together. Fused q/k/v rows hold three segments per head, which an axis action cannot
 * address yet: there only the stream acts.
 */
export function attentionAxes(names: AttentionNames, stream: Group, heads: Group, bias = true): LayerAxes {
  const out = linearAxes(names.out, stream, names.layout === 'separate' ? heads : null, bias);
  if (names.layout === 'fused') return { ...linearAxes(names.qkv, null, stream, bias), ...out };
  return Object.assign(
    {},
    ...[names.q, names.k, names.v].map((name) => linearAxes(name, heads, stream, bias)),
    out,
  ) as LayerAxes;
}
