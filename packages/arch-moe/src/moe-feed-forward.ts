import type * as tf from '@tensorflow/tfjs';
import {
  type FeedForward,
  gelu,
  normReader,
  type StreamWriter,
  type TransformerShape,
  writerRows,
} from '@weightspace/layers';
import { expertName, initMoeLayer, moeLayer, sharedName, stackedName } from './moe-layer';
import { isStacked, type MoeLayerConfig } from './moe-layer-config';
import { centreGate, moeLayerSymmetry } from './moe-layer-symmetry';

/**
 * An MoE layer as a transformer block's feed-forward part (Tran et al. 2025 replace a block's MLP
 * with one): its tensors under the block's MLP prefix (`blocks.{i}.mlp.gate.weight`,
 * `blocks.{i}.mlp.experts.{k}.fc1.weight`, …), GELU experts like the MLP they replace, routed
 * per token. It reads the block's second norm with its gate and every expert's fc1, writes the
 * stream with every expert's fc2, and in the canonical form also has its gate centred.
 */
export const moeFeedForward: FeedForward<TransformerShape & MoeLayerConfig> = {
  init: (rng, names, config) => initMoeLayer(rng, names.mlp, config.dim, config),
  apply: (params, names, config, x) => {
    const [batch, positions, dim] = x.shape;
    const tokens = x.reshape([batch * positions, dim]) as tf.Tensor2D;
    return moeLayer(params, names.mlp, config, tokens, gelu).reshape([batch, positions, dim]) as tf.Tensor3D;
  },
  symmetry: (names, config, stream) => moeLayerSymmetry(names.mlp, config, stream, stream),
  layout: (names, config) => {
    const prefix = names.mlp;
    const shared = Array.from({ length: config.sharedExperts ?? 0 }, (_, s) => s);
    const routed = Array.from({ length: config.experts }, (_, k) => k);
    const writers: StreamWriter[] = isStacked(config)
      ? [
          { param: stackedName(prefix, 'fc2.weight'), axis: 1 },
          { param: stackedName(prefix, 'fc2.bias'), axis: 1 },
        ]
      : routed.flatMap((k) => writerRows(expertName(prefix, k, 'fc2')));
    return {
      readers: [
        normReader(`${prefix}.gate`),
        ...(isStacked(config)
          ? [{ weight: stackedName(prefix, 'fc1.weight'), bias: stackedName(prefix, 'fc1.bias') }]
          : routed.map((k) => normReader(expertName(prefix, k, 'fc1')))),
        ...shared.map((s) => normReader(sharedName(prefix, s, 'fc1'))),
      ],
      writers: [...writers, ...shared.flatMap((s) => writerRows(sharedName(prefix, s, 'fc2')))],
    };
  },
  canonical: (params, names) => centreGate(params, names.mlp),
  units: () => ({}),
};
