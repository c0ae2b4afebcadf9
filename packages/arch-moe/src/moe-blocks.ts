import { ConfigError, type ParamShapes } from '@weightspace/core';
import { denseFeedForward, type FeedForward, type TransformerShape } from '@weightspace/layers';
import { moeFeedForward } from './moe-feed-forward';
import { type MoeLayerConfig, moeLayerConfigProperties } from './moe-layer-config';
import { assertMoeLayerFits, inferMoeLayer } from './moe-layer-shapes';

/**
 * A transformer whose feed-forward part is an MoE layer in the blocks `moeBlocks` (the same layer
 * config in each: Tran et al. replace the first, the last or every block's MLP) and the dense MLP
 * in the others.
 */
export interface MoeTransformerFields extends MoeLayerConfig {
  /** The blocks (0 … depth − 1, each once) whose MLP is an MoE layer; none makes the dense model. */
  moeBlocks: number[];
}

/** The JSON Schema properties of those fields. */
export const moeTransformerProperties = {
  ...moeLayerConfigProperties,
  moeBlocks: { type: 'array', items: { type: 'integer', minimum: 0 }, uniqueItems: true },
} as const;

/** The JSON Schema of a transformer family's config with MoE layers: its own fields and required ones, and the MoE fields. */
export function moeTransformerSchema(
  id: string,
  required: readonly string[],
  properties: Readonly<Record<string, unknown>>,
): object {
  return {
    $id: `weightspace/arch-moe/${id}`,
    type: 'object',
    additionalProperties: false,
    required: [...required, 'experts', 'expertWidth', 'moeBlocks'],
    properties: { ...properties, ...moeTransformerProperties },
  };
}

/**
 * A transformer's config from checkpoint shapes with its MoE fields: `base`, inferred with width 0
 * standing for 'no dense MLP' (every block an MoE layer: then the MLP width is the experts'), and
 * the MoE layers found under `prefix(i)` (see `inferMoeBlocks`).
 */
export function withMoeInferred<C extends TransformerShape>(
  id: string,
  base: C,
  shapes: ParamShapes,
  prefix: (i: number) => string,
): C & MoeTransformerFields {
  const moe = inferMoeBlocks(id, shapes, base.depth, prefix, base.dim);
  return { ...base, mlpWidth: base.mlpWidth || moe.expertWidth, ...moe };
}

/** A family's default config with four dense-gated experts of the MLP's width in its last block. */
export function withDefaultMoe<C extends TransformerShape>(base: C): C & MoeTransformerFields {
  return { ...base, experts: 4, expertWidth: base.mlpWidth, moeBlocks: [base.depth - 1] };
}

/** Which blocks `first`, `last` and `every` name in a model of `depth` blocks. */
export const MOE_PLACEMENTS = {
  first: () => [0],
  last: (depth: number) => [depth - 1],
  every: (depth: number) => Array.from({ length: depth }, (_, i) => i),
  none: () => [],
} as const;

/**
 * The blocks `placement` names: `first`, `last`, `every`, `none`, or block numbers separated by
 * commas; a ConfigError naming `flag` for anything else or a block the model does not have.
 */
export function moeBlocksFrom(placement: string, depth: number, flag = 'moeBlocks'): number[] {
  const named = MOE_PLACEMENTS[placement as keyof typeof MOE_PLACEMENTS];
  const blocks = named ? named(depth) : placement.split(',').map((part) => Number(part.trim()));
  for (const block of blocks)
    if (!Number.isInteger(block) || block < 0 || block >= depth)
      throw new ConfigError(
        `${flag}: '${placement}' is not first, last, every, none or block numbers below the depth (${depth})`,
      );
  return [...new Set(blocks)].sort((a, b) => a - b);
}

/** Refuses MoE blocks the model does not have and a top-k its experts cannot give, naming the field. */
export function checkMoeTransformer(id: string, config: TransformerShape & MoeTransformerFields): void {
  for (const block of config.moeBlocks)
    if (block >= config.depth)
      throw new ConfigError(
        `${id}: moeBlocks names block ${block}, but the model has ${config.depth} blocks (0 … ${config.depth - 1})`,
      );
  assertMoeLayerFits(id, config);
}

/** The feed-forward part of block `block`: the MoE layer where `moeBlocks` names it, else the dense MLP. */
export function moeOrDense<C extends TransformerShape & MoeTransformerFields>(
  config: C,
  block: number,
): FeedForward<C> {
  return config.moeBlocks.includes(block) ? moeFeedForward : denseFeedForward;
}

/**
 * The MoE fields from checkpoint shapes: the blocks holding a gate (`prefix(i).gate.weight`), and
 * the layer config read from the first of them (`inferMoeLayer`: dense gating, as shapes cannot
 * tell a top-k), which every other MoE block must share; a ConfigError naming the block that
 * differs, or saying there is none.
 */
export function inferMoeBlocks(
  id: string,
  shapes: ParamShapes,
  depth: number,
  prefix: (i: number) => string,
  width: number,
): MoeTransformerFields {
  const blocks = Array.from({ length: depth }, (_, i) => i).filter((i) => shapes[`${prefix(i)}.gate.weight`]);
  if (!blocks.length)
    throw new ConfigError(
      `${id}: no block has an MoE layer ('${prefix(0)}.gate.weight'): a dense checkpoint is a plain transformer`,
    );
  const layers = blocks.map((i) => inferMoeLayer(id, shapes, prefix(i), width));
  blocks.forEach((block, k) => {
    if (JSON.stringify(layers[k]) !== JSON.stringify(layers[0]))
      throw new ConfigError(`${id}: the MoE layer of block ${block} differs from block ${blocks[0]}'s in its experts`);
  });
  return { ...layers[0], moeBlocks: blocks };
}
