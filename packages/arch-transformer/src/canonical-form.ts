import * as tf from '@tensorflow/tfjs';
import type { Params } from '@weightspace/core';
import type { TransformerBlockNames } from '@weightspace/layers';
import type { TransformerShape } from './transformer-config';

/** A linear layer that reads a norm's output: its weight [out, dim] and bias [out]. */
export interface NormReader {
  weight: string;
  bias: string;
  /** Where the weight is read from when it is shared (a tied embedding); `weight` when omitted. */
  source?: string;
}

/** Where a transformer's norms and residual writers are, for `foldNorms`. */
export interface CanonicalLayout {
  /** Each norm layer (`${norm}.weight`, and `${norm}.bias` for LayerNorm) with the layers reading it. */
  norms: ReadonlyArray<{ norm: string; readers: readonly NormReader[] }>;
  /** Every parameter that writes the residual stream, with the axis that holds the stream. */
  writers: ReadonlyArray<{ param: string; axis: number }>;
}

/**
 * Rewrites a pre-norm transformer into its canonical form, computing the same function (Theus
 * et al. 2025, §3): LN(z) = RMSNorm(z·M)·diag(γ) + β with M = I − 11ᵀ/d the centring.
 * - Every norm's gain and bias move into the layers that read it: W ↦ W·diag(γ), b ↦ b + W·β. The
 *   norm keeps no parameters.
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
        out[reader.weight] = tf.mul(weight, gain.reshape([1, -1]));
        const bias = params[reader.bias] ?? tf.zeros([weight.shape[0]]);
        out[reader.bias] = shift ? tf.add(bias, tf.matMul(weight, shift.reshape([-1, 1])).reshape([-1])) : bias;
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

/** The linear layer `name` as a norm's reader (its weight and bias). */
export function normReader(name: string): NormReader {
  return { weight: `${name}.weight`, bias: `${name}.bias` };
}

/** A linear layer `name` as a writer of the stream: its weight's rows (`axis`) and its bias. */
export function writerRows(name: string, axis = 0): CanonicalLayout['writers'] {
  return [
    { param: `${name}.weight`, axis },
    { param: `${name}.bias`, axis: 0 },
  ];
}

/**
 * The layout of pre-norm blocks: each block's first norm is read by its q/k/v projection and its
 * second by the MLP's first layer; the attention's output projection and the MLP's second layer
 * write the stream. A model adds its embeddings, final norm and readout.
 */
export function blocksLayout(blocks: readonly TransformerBlockNames[]): CanonicalLayout {
  return {
    norms: blocks.flatMap((b) => [
      { norm: b.norm1, readers: [normReader(firstProjection(b))] },
      { norm: b.norm2, readers: [normReader(b.fc1)] },
    ]),
    writers: blocks.flatMap((b) => [...writerRows(b.attention.out), ...writerRows(b.fc2)]),
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
 * when the norms are LayerNorms; a copy when the model is already in that form.
 */
export function canonicalParams(config: TransformerShape, params: Params, layout: () => CanonicalLayout): Params {
  return config.folded
    ? foldNorms(params, { norms: [], writers: [] }, false)
    : foldNorms(params, layout(), config.norm === 'layernorm');
}
