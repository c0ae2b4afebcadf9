import * as tf from '@tensorflow/tfjs';
import type { Params } from '@weightspace/core';
import { type Group, type LayerAxes, reads, writes } from './axes';
import { causalMask } from './causal-mask';

/**
 * Multi-head attention written by its circuits (Theus et al. 2025, §3): per head h, one d×d
 * query–key circuit C_h and one d×d value–output circuit V_h on the residual stream itself,
 * instead of four d_head×d projections. `${qk}.weight` [heads, d, d] holds C_h (the 1/√d_head
 * scale included), `${qk}.key_bias` [heads, d] the key-side bias u_h, `${ov}.weight`
 * [heads, d, d] holds V_h, and `${out}.bias` [d] the output bias:
 *   score_h(i, j) = x_iᵀ C_h x_j + u_h·x_j,  out_i = Σ_h Σ_j softmax_j(score_h(i, ·)) V_h x_j + b.
 * The per-head invertible maps of the projections cancel in C_h and V_h, so this form has no
 * such symmetry left, and interpolating it interpolates the circuits, not their factors.
 */
export interface CircuitNames {
  layout: 'circuits';
  qk: string;
  ov: string;
  out: string;
}

/** The circuits of an attention layer, named beside its fused projection `qkv` (`….attn.qk`, `….attn.ov`). */
export function circuitNamesBeside(qkv: string, out: string): CircuitNames {
  const parent = qkv.includes('.') ? qkv.slice(0, qkv.lastIndexOf('.') + 1) : '';
  return { layout: 'circuits', qk: `${parent}qk`, ov: `${parent}ov`, out };
}

/** Attention by circuits on tokens [batch, positions, dim] (see `CircuitNames`). */
export function circuitAttention(
  params: Params,
  names: CircuitNames,
  x: tf.Tensor3D,
  options: { heads: number; causal?: boolean },
): tf.Tensor3D {
  const [batch, positions, dim] = x.shape;
  const { heads } = options;
  const flat = x.reshape([batch * positions, dim]);
  // Row i of head h's queries is x_iᵀ C_h: one product with the circuits side by side [d, heads·d].
  const circuits = tf.transpose(params[`${names.qk}.weight`], [1, 0, 2]).reshape([dim, heads * dim]);
  const queries = tf.transpose(tf.matMul(flat, circuits).reshape([batch, positions, heads, dim]), [0, 2, 1, 3]);
  const keys = tf.tile(x.expandDims(1), [1, heads, 1, 1]);
  const keyBias = tf.matMul(flat, params[`${names.qk}.key_bias`], false, true);
  const perKey = tf.transpose(keyBias.reshape([batch, positions, heads]), [0, 2, 1]).expandDims(2);
  const scores = tf.add(tf.matMul(queries, keys, false, true), perKey);
  const masked = options.causal ? tf.add(scores, causalMask(positions)) : scores;
  const mixed = tf.matMul(tf.softmax(masked), keys);
  const joined = tf.transpose(mixed, [0, 2, 1, 3]).reshape([batch * positions, heads * dim]);
  const values = tf.transpose(params[`${names.ov}.weight`], [0, 2, 1]).reshape([heads * dim, dim]);
  const out = tf.add(tf.matMul(joined, values), params[`${names.out}.bias`]);
  return out.reshape([batch, positions, dim]);
}

/**
 * The circuits of one attention layer from its q, k, v and output projections (rows of head h:
 * h·d_head … (h+1)·d_head − 1), computing the same function:
 * C_h = W_q,hᵀ W_k,h / √d_head, u_h = W_k,hᵀ b_q,h / √d_head, V_h = W_o,h W_v,h and
 * b = b_o + W_o b_v. The key bias b_k adds the same amount to every key of a query, which the
 * softmax ignores.
 */
export function circuitsOf(
  projections: {
    q: tf.Tensor;
    k: tf.Tensor;
    v: tf.Tensor;
    out: tf.Tensor;
    qBias?: tf.Tensor;
    vBias?: tf.Tensor;
    outBias?: tf.Tensor;
  },
  names: CircuitNames,
  heads: number,
): Params {
  return tf.tidy(() => {
    const [inner, dim] = projections.q.shape;
    const headDim = inner / heads;
    const perHead = (w: tf.Tensor) => w.reshape([heads, headDim, dim]);
    const scale = 1 / Math.sqrt(headDim);
    const wk = perHead(projections.k);
    const qBias = projections.qBias ?? tf.zeros([inner]);
    const vBias = projections.vBias ?? tf.zeros([inner]);
    const outBias = projections.outBias ?? tf.zeros([dim]);
    const outPerHead = tf.transpose(projections.out.reshape([dim, heads, headDim]), [1, 0, 2]);
    return {
      [`${names.qk}.weight`]: tf.mul(tf.matMul(perHead(projections.q), wk, true, false), scale),
      [`${names.qk}.key_bias`]: tf
        .mul(tf.matMul(wk, qBias.reshape([heads, headDim, 1]), true, false), scale)
        .reshape([heads, dim]),
      [`${names.ov}.weight`]: tf.matMul(outPerHead, perHead(projections.v)),
      [`${names.out}.bias`]: tf.add(outBias, tf.matMul(projections.out, vBias.reshape([inner, 1])).reshape([dim])),
    };
  });
}

/**
 * An attention layer's circuits in the spec: the heads permute the first axis of every circuit;
 * C_h and u_h read the stream on each side (C ↦ g⁻ᵀ C g⁻¹), V_h writes it on its rows and reads
 * it on its columns, and the output bias writes it.
 */
export function circuitAxes(names: CircuitNames, stream: Group, heads: Group): LayerAxes {
  const onHeads = heads ? [{ group: heads, as: 'g' as const }] : null;
  return {
    [`${names.qk}.weight`]: [onHeads, reads(stream), reads(stream)],
    [`${names.qk}.key_bias`]: [onHeads, reads(stream)],
    [`${names.ov}.weight`]: [onHeads, writes(stream), reads(stream)],
    [`${names.out}.bias`]: [writes(stream)],
  };
}
