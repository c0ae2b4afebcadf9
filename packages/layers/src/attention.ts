import * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import type { AxisAction, AxisSegment } from '@weightspace/core';
import { type Group, type LayerAxes, reads, writes } from './axes';
import { initLinear, linear } from './linear';
import { circuitAttention, circuitAxes, type CircuitNames, circuitsOf } from './attention-circuits';
import { causalMask } from './causal-mask';

/**
 * Where a multi-head attention layer keeps its projections: one fused q/k/v projection
 * [3·dim, dim] in q, k, v order (timm's `attn.qkv`, nanoGPT's `attn.c_attn`) and an output
 * projection, or separate q, k, v and output projections [dim, dim] (PyTorch-style `q_proj`, …),
 * or per-head circuits (see `CircuitNames`).
 */
export type AttentionNames =
  | { layout: 'fused'; qkv: string; out: string }
  | { layout: 'separate'; q: string; k: string; v: string; out: string }
  | CircuitNames;

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
  if (names.layout === 'circuits') return circuitAttention(params, names, x, options);
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

/**
 * PyTorch's default initialisation of every projection (nn.Linear), q/k/v before the output; for
 * circuits, the circuits of projections drawn that way with `heads` heads.
 */
export function initAttention(rng: Rng, names: AttentionNames, dim: number, bias = true, heads = 1): Params {
  if (names.layout === 'circuits') {
    const drawn = initAttention(rng, { layout: 'separate', q: 'q', k: 'k', v: 'v', out: 'o' }, dim, bias);
    const circuits = circuitsOf(
      {
        ...{ q: drawn['q.weight'], k: drawn['k.weight'], v: drawn['v.weight'], out: drawn['o.weight'] },
        ...{ qBias: drawn['q.bias'], vBias: drawn['v.bias'], outBias: drawn['o.bias'] },
      },
      names,
      heads,
    );
    Object.values(drawn).forEach((t) => t.dispose());
    return circuits;
  }
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
 * The groups of one attention layer's spec: `heads` permutes whole heads (a block permutation
 * with block size d_head); `qk` and `ov`, batched over `heads`, are the invertible maps inside
 * each head that its query/key product (q ↦ M·q, k ↦ M⁻ᵀ·k) and its value/output product
 * (v ↦ M·v, output columns ↦ ·M⁻¹) leave unchanged. `qk`/`ov` may be null (heads only).
 */
export interface AttentionGroups {
  heads: Group;
  qk?: Group;
  ov?: Group;
}

/**
 * An attention layer's spec entries: the projections read the residual stream `stream` and the
 * output projection writes it; `groups` act on the heads' rows of q, k and v (for a fused q/k/v
 * projection, on its three segments) and on the output projection's columns.
 */
export function attentionAxes(names: AttentionNames, stream: Group, groups: AttentionGroups, bias = true): LayerAxes {
  if (names.layout === 'circuits') return circuitAxes(names, stream, groups.heads);
  const onHeads = (circuit: Group | undefined, as: AxisAction['as'], segment?: AxisSegment): AxisAction[] => [
    ...(groups.heads
      ? [{ group: groups.heads, as: as === 'inverse' ? ('inverse' as const) : ('g' as const), segment }]
      : []),
    ...(circuit ? [{ group: circuit, as, segment }] : []),
  ];
  const rows = (actions: AxisAction[]) => (actions.length ? actions : null);
  const projection = (name: string, headRows: AxisAction[]): LayerAxes => ({
    [`${name}.weight`]: [rows(headRows), reads(stream)],
    ...(bias ? { [`${name}.bias`]: [rows(headRows)] } : {}),
  });
  const q = (segment?: AxisSegment) => onHeads(groups.qk, 'g', segment);
  const k = (segment?: AxisSegment) => onHeads(groups.qk, 'inverse-transpose', segment);
  const v = (segment?: AxisSegment) => onHeads(groups.ov, 'g', segment);
  const out: LayerAxes = {
    [`${names.out}.weight`]: [writes(stream), rows(onHeads(groups.ov, 'inverse'))],
    ...(bias ? { [`${names.out}.bias`]: [writes(stream)] } : {}),
  };
  if (names.layout === 'fused') {
    const fused = [...q({ index: 0, of: 3 }), ...k({ index: 1, of: 3 }), ...v({ index: 2, of: 3 })];
    return { ...projection(names.qkv, fused), ...out };
  }
  return { ...projection(names.q, q()), ...projection(names.k, k()), ...projection(names.v, v()), ...out };
}
