import * as tf from '@tensorflow/tfjs';
import type { Params } from '@weightspace/core';
import type { TransformerBlockNames } from '../transformer-block';
import { type CanonicalLayout, normReader, writerRows } from './canonical-layout';
import type { FeedForwardOf } from './feed-forward';
import { blockIndices, type TransformerShape } from './transformer-shape';

/**
 * Rewrites a pre-norm transformer into its canonical form, computing the same function (Theus
 * et al. 2025, §3): LN(z) = RMSNorm(z·M)·diag(γ) + β with M = I − 11ᵀ/d the centring.
 * - Every norm's gain and bias move into the layers that read it: W ↦ W·diag(γ), b ↦ b + W·β
 *   (W's last axis reads the norm, so stacked readers fold the same way). The norm keeps no
 *   parameters.
 * - With `centre` (from LayerNorm), every writer of the residual stream is centred along the
 *   stream's axis, so the stream has zero mean in every position and LayerNorm's centring is the
 *   identity there: LayerNorm equals the parameter-free RMSNorm (with the same ε).
 * Parameters not named in the layout are copied. Returns new tensors.
 */
export function foldNorms(params: Params, layout: CanonicalLayout, centre: boolean): Params {
  return tf.tidy(() => {
    const out: Params = {};
    for (const [name, tensor] of Object.entries(params)) out[name] = tensor;
    for (const { norm, readers } of layout.norms) {
      const gain = params[`${norm}.weight`];
      const shift = params[`${norm}.bias`];
      for (const reader of readers) {
        const weight = params[reader.source ?? reader.weight];
        out[reader.weight] = tf.mul(weight, gain);
        const bias = params[reader.bias] ?? tf.zeros(weight.shape.slice(0, -1));
        out[reader.bias] = shift ? tf.add(bias, tf.sum(tf.mul(weight, shift), -1)) : bias;
      }
      delete out[`${norm}.weight`];
      delete out[`${norm}.bias`];
    }
    if (centre) {
      for (const { param, axis } of layout.writers) {
        const x = out[param];
        out[param] = tf.sub(x, tf.mean(x, axis, true));
      }
    }
    for (const name of Object.keys(out)) if (out[name] === params[name]) out[name] = params[name].clone();
    return out;
  });
}

/**
 * The layout of pre-norm blocks: each block's first norm is read by its q/k/v projection and its
 * second by the feed-forward part's readers; the attention's output projection and the
 * feed-forward part's writers write the stream. A model adds its embeddings, final norm and readout.
 */
export function blocksLayout<C extends TransformerShape>(
  config: C,
  blockNames: (i: number) => TransformerBlockNames,
  feedForward: FeedForwardOf<C>,
): CanonicalLayout {
  const blocks = blockIndices(config).map((i) => ({
    names: blockNames(i),
    part: feedForward(config, i).layout(blockNames(i), config),
  }));
  return {
    norms: blocks.flatMap(({ names, part }) => [
      { norm: names.norm1, readers: [normReader(firstProjection(names))] },
      { norm: names.norm2, readers: part.readers },
    ]),
    writers: blocks.flatMap(({ names, part }) => [...writerRows(names.attention.out), ...part.writers]),
  };
}

/** The projection a block's first norm feeds (a model in circuit form is already folded: never asked). */
function firstProjection(block: TransformerBlockNames): string {
  const { attention } = block;
  if (attention.layout === 'circuits') throw new Error('a model in circuit form has no norm to fold');
  return attention.layout === 'fused' ? attention.qkv : attention.q;
}

/**
 * The parameters of a model's canonical form: `foldNorms` with its layout, centring the writers
 * when the norms are LayerNorms (a copy when the model is already folded), then each block's
 * feed-forward rewrite of its own (`FeedForward.canonical`), which a folded model is given again.
 */
export function canonicalParams<C extends TransformerShape>(
  config: C,
  params: Params,
  layout: () => CanonicalLayout,
  blockNames: (i: number) => TransformerBlockNames,
  feedForward: FeedForwardOf<C>,
): Params {
  let out = config.folded
    ? foldNorms(params, { norms: [], writers: [] }, false)
    : foldNorms(params, layout(), config.norm === 'layernorm');
  for (const i of blockIndices(config)) {
    const rewrite = feedForward(config, i).canonical;
    if (!rewrite) continue;
    const next = rewrite(out, blockNames(i), config);
    for (const [name, tensor] of Object.entries(out)) if (next[name] !== tensor) tensor.dispose();
    out = next;
  }
  return out;
}
