import type * as tf from '@tensorflow/tfjs';
import type { Params, Rng } from '@weightspace/core';
import { initTransformerBlock, transformerBlock, type TransformerBlockNames } from '@weightspace/layers';
import { blockNamesIn } from './circuit-form';
import { blockIndices, normOf, type TransformerShape } from './transformer-config';

/** The initial parameters of every block, block i drawn from `rng.fork('block i')`. */
export function initBlocks(
  rng: Rng,
  config: TransformerShape,
  blockNames: (i: number) => TransformerBlockNames,
): Params {
  const params: Params = {};
  const names = blockNamesIn(config, blockNames);
  for (const i of blockIndices(config)) {
    const shape = { dim: config.dim, hidden: config.mlpWidth, heads: config.heads };
    Object.assign(params, initTransformerBlock(rng.fork(`block ${i}`), names(i), shape, normOf(config)));
  }
  return params;
}

/**
 * The residual stream `h` through every block in order, recording each block's output as
 * `block.{i}` and its MLP's hidden units as `mlp.{i}` (see `featureRecorder`).
 */
export function runBlocks(
  config: TransformerShape,
  params: Params,
  blockNames: (i: number) => TransformerBlockNames,
  h: tf.Tensor3D,
  record: <T extends tf.Tensor>(tap: string, t: T) => T,
  causal = false,
): tf.Tensor3D {
  let stream = h;
  const names = blockNamesIn(config, blockNames);
  for (const i of blockIndices(config)) {
    const options = {
      heads: config.heads,
      norm: normOf(config),
      epsilon: config.normEpsilon,
      causal,
      record: (_: 'hidden', t: tf.Tensor) => record(`mlp.${i}`, t),
    };
    stream = record(`block.${i}`, transformerBlock(params, names(i), stream, options));
  }
  return stream;
}
