import type * as tf from '@tensorflow/tfjs';
import type { FeatureGraph } from '@weightspace/core';
import type { TransformerBlockNames } from '../transformer-block';
import type { FeedForwardOf } from './feed-forward';
import { blockIndices, type TransformerShape } from './transformer-shape';

/**
 * The feature taps of a transformer: `embed`, the residual stream entering the first block;
 * `block.{i}`, the stream after block i; the feed-forward parts' own (`mlp.{i}`, a dense MLP's
 * hidden units after GELU). Every tap has its units last, one row per token.
 */
export function featureRecorder(taps: readonly string[] | undefined): {
  features: Record<string, tf.Tensor>;
  record: <T extends tf.Tensor>(tap: string, t: T) => T;
} {
  const features: Record<string, tf.Tensor> = {};
  const record = <T extends tf.Tensor>(tap: string, t: T): T => {
    if (!taps || taps.includes(tap)) features[tap] = t;
    return t;
  };
  return { features, record };
}

/**
 * Which taps carry which group, for activation matching: the stream on `embed` and every
 * `block.{i}`, and what each feed-forward part records (a dense MLP's units on `mlp.{i}`). No
 * linear-layer graph (LLFC and LEWC are not offered for transformers).
 */
export function transformerFeatureGraph<C extends TransformerShape>(
  config: C,
  blockNames: (i: number) => TransformerBlockNames,
  feedForward: FeedForwardOf<C>,
): FeatureGraph {
  const blocks = blockIndices(config);
  return {
    linear: [],
    relu: [],
    units: {
      stream: ['embed', ...blocks.map((i) => `block.${i}`)],
      ...Object.assign({}, ...blocks.map((i) => feedForward(config, i).units(blockNames(i), i))),
    },
  };
}
