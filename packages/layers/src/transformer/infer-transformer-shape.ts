import { ConfigError, type ParamShapes } from '@weightspace/core';
import type { TransformerShape } from './transformer-shape';

/**
 * The shared part of a transformer's config from checkpoint shapes: depth (blocks present), MLP
 * width (`where.mlp(i)`'s rows in the first block that has a dense MLP; `where.mlpWidth` when none
 * has), norm (LayerNorm stores a bias, RMSNorm a weight only, the canonical form neither) and
 * heads, which shapes cannot tell: `known.heads` where the caller knows it (`--heads`), else one
 * per 64 features (timm's and GPT-2's head width) where 64 divides the width, else a ConfigError
 * asking for it; the norms' ε, also not in the shapes: `known.normEpsilon` (`--norm-epsilon`),
 * else the default.
 */
export function inferTransformerShape(
  shapes: ParamShapes,
  model: string,
  where: { dim: number; block: (i: number) => string; norm: string; mlp: (i: number) => string; mlpWidth?: number },
  known: Readonly<Record<string, unknown>> = {},
): TransformerShape {
  let depth = 0;
  while (Object.keys(shapes).some((name) => name.startsWith(`${where.block(depth)}.`))) depth++;
  if (depth === 0) throw new ConfigError(`${model}: no tensors of block '${where.block(0)}'`);
  const dense = Array.from({ length: depth }, (_, i) => shapes[where.mlp(i)]).find((shape) => shape !== undefined);
  const mlpWidth = dense?.[0] ?? where.mlpWidth;
  if (mlpWidth === undefined) throw new ConfigError(`${model}: no tensor '${where.mlp(0)}'`);
  const folded = shapes[`${where.norm}.weight`] === undefined;
  const norm = folded || shapes[`${where.norm}.bias`] === undefined ? 'rmsnorm' : 'layernorm';
  const heads = known.heads ?? where.dim / 64;
  if (typeof heads !== 'number' || !Number.isInteger(heads) || heads < 1 || where.dim % heads !== 0) {
    throw new ConfigError(
      known.heads === undefined
        ? `${model}: the head count is not in the tensor shapes and width ${where.dim} is not a multiple of 64: give it (--heads N) or use a checkpoint that records its config`
        : `${model}: heads (${String(known.heads)}) must divide dim (${where.dim})`,
    );
  }
  const epsilon = known.normEpsilon;
  if (epsilon !== undefined && (typeof epsilon !== 'number' || !(epsilon > 0)))
    throw new ConfigError(`${model}: normEpsilon must be a positive number, got ${String(epsilon)}`);
  return {
    dim: where.dim,
    depth,
    heads,
    mlpWidth,
    norm,
    ...(epsilon !== undefined ? { normEpsilon: epsilon } : {}),
    ...(folded ? { folded } : {}),
  };
}
