import type * as tf from '@tensorflow/tfjs';
import type { GroupDeclaration, ParamFamily, Params, Rng } from '@weightspace/core';
import type { LayerAxes } from '../axes';
import { denseMlp, denseMlpAxes, initDenseMlp, type TransformerBlockNames } from '../transformer-block';
import type { NormReader, StreamWriter } from './canonical-layout';
import type { TransformerShape } from './transformer-shape';

/** What a block's feed-forward part adds to a model's symmetry spec. */
export interface FeedForwardSymmetry {
  groups: Record<string, GroupDeclaration>;
  axes: LayerAxes;
  families?: readonly ParamFamily[];
}

/**
 * The feed-forward part of a pre-norm block, the one part of a transformer that varies between
 * model families (a dense GELU MLP here; an MoE layer in `@weightspace/arch-moe`). It reads the
 * block's second norm and adds its output to the residual stream; every hook below is asked with
 * the block's names (`names.mlp` is its prefix) and the model's config.
 */
export interface FeedForward<C extends TransformerShape = TransformerShape> {
  /** Its initial parameters, drawn from the block's `rng` (forks of it, by label). */
  init(rng: Rng, names: TransformerBlockNames, config: C): Params;
  /**
   * What it adds to the stream, from the normed stream `x` [batch, positions, dim]; `record`
   * receives its feature taps (see `units`).
   */
  apply(
    params: Params,
    names: TransformerBlockNames,
    config: C,
    x: tf.Tensor3D,
    record: (tap: string, t: tf.Tensor) => void,
    block: number,
  ): tf.Tensor3D;
  /** Its groups and axes in block `block`; it reads and writes `stream`. */
  symmetry(names: TransformerBlockNames, config: C, stream: string, block: number): FeedForwardSymmetry;
  /** For the canonical form: the layers that read the block's second norm, and those that write the stream. */
  layout(names: TransformerBlockNames, config: C): { readers: NormReader[]; writers: StreamWriter[] };
  /** A function-preserving rewrite of its own that the canonical form applies after folding (an MoE gate's centring). */
  canonical?(params: Params, names: TransformerBlockNames, config: C): Params;
  /** Its feature taps, by the group whose units each carries (for activation matching). */
  units(names: TransformerBlockNames, block: number): Record<string, string[]>;
}

/** Which feed-forward part block `block` of a model with `config` has. */
export type FeedForwardOf<C extends TransformerShape> = (config: C, block: number) => FeedForward<C>;

/** The dense MLP's hidden-unit group and feature tap of block `block`. */
export const mlpGroup = (block: number) => `mlp.${block}`;

/**
 * The dense feed-forward part: fc2(gelu(fc1(x))) with `mlpWidth` hidden units, permuted by the
 * group `mlp.{i}` and recorded on the tap of that name.
 */
export const denseFeedForward: FeedForward = {
  init: (rng, names, config) => initDenseMlp(rng, names, { dim: config.dim, hidden: config.mlpWidth }),
  apply: (params, names, _config, x, record, block) =>
    denseMlp(params, names, x, (_, hidden) => record(mlpGroup(block), hidden)),
  symmetry: (names, config, stream, block) => {
    const hidden = mlpGroup(block);
    return {
      groups: { [hidden]: { kind: 'permutation', size: config.mlpWidth } },
      axes: denseMlpAxes(names, { stream, hidden }),
    };
  },
  layout: (names) => ({
    readers: [{ weight: `${names.fc1}.weight`, bias: `${names.fc1}.bias` }],
    writers: [
      { param: `${names.fc2}.weight`, axis: 0 },
      { param: `${names.fc2}.bias`, axis: 0 },
    ],
  }),
  units: (_names, block) => ({ [mlpGroup(block)]: [mlpGroup(block)] }),
};
