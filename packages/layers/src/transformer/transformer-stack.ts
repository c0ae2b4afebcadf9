import type * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import { initBlockAttention, transformerBlock, type TransformerBlockNames } from '../transformer-block';
import { blockNamesIn } from './circuit-form';
import type { FeedForwardOf } from './feed-forward';
import { blockIndices, normOf, type TransformerShape } from './transformer-shape';

/** The initial parameters of every block, block i drawn from `rng.fork('block i')`. */
export function initBlocks<C extends TransformerShape>(
  rng: Rng,
  config: C,
  blockNames: (i: number) => TransformerBlockNames,
  feedForward: FeedForwardOf<C>,
): Params {
  const params: Params = {};
  const names = blockNamesIn(config, blockNames);
  for (const i of blockIndices(config)) {
    const blockRng = rng.fork(`block ${i}`);
    Object.assign(
      params,
      initBlockAttention(blockRng, names(i), config, normOf(config)),
      feedForward(config, i).init(blockRng, names(i), config),
    );
  }
  return params;
}

/**
 * The residual stream `h` through every block in order, recording each block's output as
 * `block.{i}` and the feed-forward parts' own taps (the dense MLP's hidden units as `mlp.{i}`;
 * see `featureRecorder`).
 */
export function runBlocks<C extends TransformerShape>(
  config: C,
  params: Params,
  blockNames: (i: number) => TransformerBlockNames,
  feedForward: FeedForwardOf<C>,
  h: tf.Tensor3D,
  record: <T extends tf.Tensor>(tap: string, t: T) => T,
  causal = false,
): tf.Tensor3D {
  let stream = h;
  const names = blockNamesIn(config, blockNames);
  for (const i of blockIndices(config)) {
    const part = feedForward(config, i);
    const options = {
      heads: config.heads,
      norm: normOf(config),
      epsilon: config.normEpsilon,
      causal,
      feedForward: (normed: tf.Tensor3D) => part.apply(params, names(i), config, normed, record, i),
    };
    stream = record(`block.${i}`, transformerBlock(params, names(i), stream, options));
  }
  return stream;
}
