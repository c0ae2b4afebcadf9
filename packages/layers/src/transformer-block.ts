import * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import type { Group, LayerAxes } from './axes';
import {
  type AttentionGroups,
  type AttentionNames,
  attentionAxes,
  initAttention,
  multiHeadAttention,
} from './attention';
import { gelu } from './gelu';
import { initLinear, linear, linearAxes } from './linear';
import { initNorm, layerNorm, NORM_EPSILON, normAxes, type NormParameters, rmsNorm, unitRmsNorm } from './norms';

/** Where a pre-norm transformer block keeps its parts. */
export interface TransformerBlockNames {
  norm1: string;
  attention: AttentionNames;
  norm2: string;
  /** The feed-forward part's prefix (`blocks.{i}.mlp`): where an MoE layer that replaces it keeps its tensors. */
  mlp: string;
  fc1: string;
  fc2: string;
}

/** timm's VisionTransformer block `prefix` (`blocks.{i}`): norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2. */
export function timmBlockNames(prefix: string): TransformerBlockNames {
  return {
    norm1: `${prefix}.norm1`,
    attention: { layout: 'fused', qkv: `${prefix}.attn.qkv`, out: `${prefix}.attn.proj` },
    norm2: `${prefix}.norm2`,
    mlp: `${prefix}.mlp`,
    fc1: `${prefix}.mlp.fc1`,
    fc2: `${prefix}.mlp.fc2`,
  };
}

/** nanoGPT's block `prefix` (`transformer.h.{i}`): ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj. */
export function nanoGptBlockNames(prefix: string): TransformerBlockNames {
  return {
    norm1: `${prefix}.ln_1`,
    attention: { layout: 'fused', qkv: `${prefix}.attn.c_attn`, out: `${prefix}.attn.c_proj` },
    norm2: `${prefix}.ln_2`,
    mlp: `${prefix}.mlp`,
    fc1: `${prefix}.mlp.c_fc`,
    fc2: `${prefix}.mlp.c_proj`,
  };
}

/**
 * The norms of a transformer: LayerNorm, RMSNorm with a gain, or `unit-rmsnorm`, an RMSNorm
 * without parameters (the canonical form, whose gains live in the layers that read it).
 */
export type TransformerNorm = 'layernorm' | 'rmsnorm' | 'unit-rmsnorm';

/** Shape of a pre-norm transformer block: width, heads, MLP width, normalisation, causal mask. */
export interface TransformerBlockOptions {
  heads: number;
  causal?: boolean;
  norm: TransformerNorm;
  /** The norms' ε (`NORM_EPSILON`, PyTorch's 1e-5, when omitted). */
  epsilon?: number;
  /** Receives the MLP's hidden activations (after GELU) as `hidden`, for feature taps. */
  record?: (part: 'hidden', activations: tf.Tensor) => void;
  /**
   * The block's feed-forward part on the normed stream, in place of the dense GELU MLP (an MoE
   * layer, say); it returns what the part adds to the stream.
   */
  feedForward?: (normed: tf.Tensor3D) => tf.Tensor3D;
}

/** The norm `kind` applied to `x` with the parameters of norm layer `name` and ε `epsilon` (PyTorch's 1e-5 when omitted). */
export function transformerNorm<T extends tf.Tensor>(
  kind: TransformerNorm,
  params: Params,
  name: string,
  x: T,
  epsilon = NORM_EPSILON,
): T {
  switch (kind) {
    case 'layernorm':
      return layerNorm(params, name, x, epsilon);
    case 'rmsnorm':
      return rmsNorm(params, name, x, epsilon);
    case 'unit-rmsnorm':
      return unitRmsNorm(x, epsilon);
  }
}

/** What a norm of `kind` stores. */
export function transformerNormStored(kind: TransformerNorm): NormParameters {
  return kind === 'layernorm' ? 'affine' : kind === 'rmsnorm' ? 'weight' : 'none';
}

/**
 * A pre-norm transformer block on tokens [batch, positions, dim]:
 * h = x + attn(norm1(x)); out = h + ffn(norm2(h)), ffn the dense MLP fc2(gelu(fc1(·))) unless
 * `options.feedForward` replaces it.
 */
export function transformerBlock(
  params: Params,
  names: TransformerBlockNames,
  x: tf.Tensor3D,
  options: TransformerBlockOptions,
): tf.Tensor3D {
  const norm = <T extends tf.Tensor>(name: string, t: T) =>
    transformerNorm(options.norm, params, name, t, options.epsilon);
  const h = tf.add(x, multiHeadAttention(params, names.attention, norm(names.norm1, x), options)) as tf.Tensor3D;
  const normed = norm(names.norm2, h);
  const added = options.feedForward ? options.feedForward(normed) : denseMlp(params, names, normed, options.record);
  return tf.add(h, added) as tf.Tensor3D;
}

/** The dense feed-forward part: fc2(gelu(fc1(x))), its hidden units given to `record`. */
export function denseMlp(
  params: Params,
  names: Pick<TransformerBlockNames, 'fc1' | 'fc2'>,
  x: tf.Tensor3D,
  record?: TransformerBlockOptions['record'],
): tf.Tensor3D {
  const hidden = gelu(linear(params, names.fc1, x));
  record?.('hidden', hidden);
  return linear(params, names.fc2, hidden) as tf.Tensor3D;
}

/** A block's initial parameters: norms at 1 (and 0), projections as PyTorch's nn.Linear. */
export function initTransformerBlock(
  rng: Rng,
  names: TransformerBlockNames,
  shape: { dim: number; hidden: number; heads: number },
  norm: TransformerBlockOptions['norm'],
): Params {
  return { ...initBlockAttention(rng, names, shape, norm), ...initDenseMlp(rng, names, shape) };
}

/** The attention half of a block's initial parameters: both norms and the attention (`rng.fork('attention')`). */
export function initBlockAttention(
  rng: Rng,
  names: TransformerBlockNames,
  { dim, heads }: { dim: number; heads: number },
  norm: TransformerBlockOptions['norm'],
): Params {
  const stored = transformerNormStored(norm);
  return {
    ...initNorm(names.norm1, dim, stored),
    ...initAttention(rng.fork('attention'), names.attention, dim, true, heads),
    ...initNorm(names.norm2, dim, stored),
  };
}

/** The dense MLP's initial parameters, fc1 and fc2 drawn from `rng.fork(their names)` as nn.Linear. */
export function initDenseMlp(
  rng: Rng,
  names: Pick<TransformerBlockNames, 'fc1' | 'fc2'>,
  { dim, hidden }: { dim: number; hidden: number },
): Params {
  return {
    ...initLinear(rng.fork(names.fc1), names.fc1, dim, hidden),
    ...initLinear(rng.fork(names.fc2), names.fc2, hidden, dim),
  };
}

/**
 * A block's spec entries: the residual stream `stream` is read and written by every part and
 * carried by both norms; `heads`, `qk` and `ov` act on the attention heads (see
 * `attentionAxes`); `hidden` permutes the MLP's hidden units. A permutation stream commutes with
 * both norms; an orthogonal one needs RMSNorm (LayerNorm first rewritten in that form).
 */
export function transformerBlockAxes(
  names: TransformerBlockNames,
  norm: TransformerBlockOptions['norm'],
  groups: { stream: Group; hidden: Group } & AttentionGroups,
): LayerAxes {
  return { ...blockAttentionAxes(names, norm, groups), ...denseMlpAxes(names, groups) };
}

/** The spec entries of a block's norms and attention (see `transformerBlockAxes`). */
export function blockAttentionAxes(
  names: TransformerBlockNames,
  norm: TransformerBlockOptions['norm'],
  groups: { stream: Group } & AttentionGroups,
): LayerAxes {
  const stored = transformerNormStored(norm);
  return {
    ...normAxes(names.norm1, groups.stream, stored),
    ...attentionAxes(names.attention, groups.stream, groups),
    ...normAxes(names.norm2, groups.stream, stored),
  };
}

/** The spec entries of the dense MLP: fc1 reads the stream and writes `hidden`, fc2 the reverse. */
export function denseMlpAxes(
  names: Pick<TransformerBlockNames, 'fc1' | 'fc2'>,
  groups: { stream: Group; hidden: Group },
): LayerAxes {
  return {
    ...linearAxes(names.fc1, groups.hidden, groups.stream),
    ...linearAxes(names.fc2, groups.stream, groups.hidden),
  };
}
