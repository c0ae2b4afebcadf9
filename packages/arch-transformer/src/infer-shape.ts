import { ConfigError, type ParamShapes } from '@weightspace/core';
import type { TransformerShape } from './transformer-config';

/**
 * The shared part of a transformer's config from checkpoint shapes: depth (blocks present), MLP
 * width, norm (LayerNorm stores a bias, RMSNorm a weight only, the canonical form neither) and
 * heads, which shapes cannot tell: one per 64 features (timm's and GPT-2's head width) where 64
 * divides the width, else a ConfigError asking for the config.
 */
export function inferTransformerShape(
  shapes: ParamShapes,
  model: string,
  where: { dim: number; block: (i: number) => string; norm: string; mlp: string },
): TransformerShape {
  let depth = 0;
  while (Object.keys(shapes).some((name) => name.startsWith(`${where.block(depth)}.`))) depth++;
  if (depth === 0) throw new ConfigError(`${model}: no tensors of block '${where.block(0)}'`);
  const mlp = shapes[where.mlp];
  if (!mlp) throw new ConfigError(`${model}: no tensor '${where.mlp}'`);
  const folded = shapes[`${where.norm}.weight`] === undefined;
  const norm = folded || shapes[`${where.norm}.bias`] === undefined ? 'rmsnorm' : 'layernorm';
  if (where.dim % 64 !== 0) {
    throw new ConfigError(
      `${model}: the head count is not in the tensor shapes and width ${where.dim} is not a multiple of 64: use a checkpoint that records its config`,
    );
  }
  return { dim: where.dim, depth, heads: where.dim / 64, mlpWidth: mlp[0], norm, ...(folded ? { folded } : {}) };
}
