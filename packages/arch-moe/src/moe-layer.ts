import * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import { initLinear, linear } from '@weightspace/layers';
import { isStacked, type MoeLayerConfig } from './moe-layer-config';

/** The tensors of one expert (fc1 then fc2), as suffixes of its name. */
export const EXPERT_TENSORS = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'] as const;

/** The name of routed expert k's tensor `suffix` in the per-expert layout: `moe.experts.3.fc1.weight`. */
export function expertName(prefix: string, k: number | '{k}', suffix: string): string {
  return `${prefix}.experts.${k}.${suffix}`;
}

/** The name of the routed experts' stacked tensor `suffix`: `moe.experts.fc1.weight` [experts, …]. */
export function stackedName(prefix: string, suffix: string): string {
  return `${prefix}.experts.${suffix}`;
}

/** The name of shared expert s's tensor `suffix`: `moe.shared_experts.0.fc1.weight`. */
export function sharedName(prefix: string, s: number | '{k}', suffix: string): string {
  return `${prefix}.shared_experts.${s}.${suffix}`;
}

/**
 * An MoE layer's parameters for `width` input and output features, from `rng`: the gate
 * (`prefix.gate.weight` [experts, width] and bias), each routed expert as PyTorch's nn.Linear
 * initialises fc1 (width → expertWidth) and fc2 (back to width), and each shared expert the same
 * way. Expert k's values do not depend on the layout: stacked tensors hold the per-expert ones.
 */
export function initMoeLayer(rng: Rng, prefix: string, width: number, config: MoeLayerConfig): Params {
  const params: Params = initLinear(rng.fork(`${prefix}.gate`), `${prefix}.gate`, width, config.experts);
  const expert = (name: string, label: string): Params => ({
    ...initLinear(rng.fork(`${label}.fc1`), `${name}.fc1`, width, config.expertWidth),
    ...initLinear(rng.fork(`${label}.fc2`), `${name}.fc2`, config.expertWidth, width),
  });
  const routed = Array.from({ length: config.experts }, (_, k) =>
    expert(`${prefix}.experts.${k}`, `${prefix}.experts.${k}`),
  );
  if (isStacked(config)) {
    for (const suffix of EXPERT_TENSORS) {
      params[stackedName(prefix, suffix)] = tf.stack(routed.map((e, k) => e[expertName(prefix, k, suffix)]));
    }
    routed.forEach((e) => Object.values(e).forEach((t) => t.dispose()));
  } else routed.forEach((e) => Object.assign(params, e));
  for (let s = 0; s < (config.sharedExperts ?? 0); s++)
    Object.assign(params, expert(`${prefix}.shared_experts.${s}`, `${prefix}.shared_experts.${s}`));
  return params;
}

/**
 * The routed experts' tensor `suffix`, stacked [experts, …] whatever the layout (the per-expert
 * tensors are stacked on the fly, so gradients reach them).
 */
function stackedTensor(params: Params, prefix: string, config: MoeLayerConfig, suffix: string): tf.Tensor {
  if (isStacked(config)) return params[stackedName(prefix, suffix)];
  return tf.stack(Array.from({ length: config.experts }, (_, k) => params[expertName(prefix, k, suffix)]));
}

/**
 * The gate's weights per sample and expert [batch, experts]: a softmax over the gate scores
 * x·Wᵀ + b (dense), or with `topK`, over the k highest scores only (the rest get weight 0; a tie
 * goes to the lower index, so the choice is well defined on every input).
 */
export function gateWeights(params: Params, prefix: string, config: MoeLayerConfig, x: tf.Tensor2D): tf.Tensor2D {
  const scores = linear(params, `${prefix}.gate`, x) as tf.Tensor2D;
  if (config.topK === undefined || config.topK >= config.experts) return tf.softmax(scores);
  const chosen = chosenExperts(scores, config.topK);
  // Unchosen scores sink far below every chosen one: exp() of their difference is exactly 0.
  return tf.softmax(tf.add(scores, tf.mul(tf.sub(1, chosen), -1e9)));
}

/**
 * `topKMask` as a constant of the gradient: the choice is piecewise constant in the scores, so its
 * gradient is zero (and the comparisons it is made of have none in tfjs).
 */
function chosenExperts(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  const choose = tf.customGrad((...inputs) => ({
    value: topKMask(inputs[0] as tf.Tensor2D, k),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return choose(scores) as tf.Tensor2D;
}

/**
 * 1 where expert i is among the k highest scores of a sample, else 0: i is chosen when fewer than
 * k experts beat it, an expert j beating i when s_j > s_i, or s_j = s_i and j < i.
 */
export function topKMask(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  const n = scores.shape[1];
  const si = scores.expandDims(2); // [batch, i, 1]
  const sj = scores.expandDims(1); // [batch, 1, j]
  const lower = tf.tensor2d(
    Array.from({ length: n * n }, (_, e) => (e % n < Math.floor(e / n) ? 1 : 0)),
    [n, n],
  ); // [i, j]: 1 where j < i
  const beats = tf.add(tf.cast(tf.greater(sj, si), 'float32'), tf.mul(tf.cast(tf.equal(sj, si), 'float32'), lower));
  return tf.cast(tf.less(tf.sum(beats, 2), k), 'float32') as tf.Tensor2D;
}

/**
 * The layer's output for x [batch, width]: Σ_i g_i(x)·E_i(x) over the routed experts, with g the
 * gate's weights (`gateWeights`) and E_i(x) = fc2(σ(fc1(x))), σ the experts' `activation` (ReLU
 * unless given: GELU in the transformers, whose MLP the experts replace), plus Σ_s E_s(x) over the
 * shared experts. Every routed expert is computed for every sample (n is small); the weights select.
 */
export function moeLayer(
  params: Params,
  prefix: string,
  config: MoeLayerConfig,
  x: tf.Tensor2D,
  activation: (t: tf.Tensor) => tf.Tensor = tf.relu,
): tf.Tensor2D {
  const n = config.experts;
  const h = config.expertWidth;
  const [batch, width] = x.shape;
  const w1 = stackedTensor(params, prefix, config, 'fc1.weight'); // [n, h, width]
  const b1 = stackedTensor(params, prefix, config, 'fc1.bias'); // [n, h]
  const w2 = stackedTensor(params, prefix, config, 'fc2.weight'); // [n, width, h]
  const b2 = stackedTensor(params, prefix, config, 'fc2.bias'); // [n, width]
  // [batch, n·h] → [n, batch, h]: every expert's hidden units for every sample.
  const pre = tf
    .matMul(x, w1.reshape([n * h, width]), false, true)
    .reshape([batch, n, h])
    .transpose([1, 0, 2]);
  const hidden = activation(tf.add(pre, b1.expandDims(1)));
  const outputs = tf.add(tf.matMul(hidden, w2, false, true), b2.expandDims(1)); // [n, batch, width]
  const weights = gateWeights(params, prefix, config, x).transpose().expandDims(2); // [n, batch, 1]
  let y = tf.sum(tf.mul(outputs, weights), 0) as tf.Tensor2D;
  for (let s = 0; s < (config.sharedExperts ?? 0); s++) {
    const expertHidden = activation(linear(params, sharedName(prefix, s, 'fc1'), x));
    y = tf.add(y, linear(params, sharedName(prefix, s, 'fc2'), expertHidden));
  }
  return y;
}
