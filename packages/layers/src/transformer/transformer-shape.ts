import { ConfigError } from '@weightspace/core';
import type { TransformerNorm } from '../transformer-block';

/**
 * The shape every transformer built here shares: residual width `dim`, `depth` pre-norm
 * blocks of `heads` attention heads and an MLP of `mlpWidth` GELU units, and its normalisation.
 */
export interface TransformerShape {
  dim: number;
  depth: number;
  heads: number;
  mlpWidth: number;
  norm: 'layernorm' | 'rmsnorm';
  /**
   * Every norm's ε: PyTorch's default 1e-5 when omitted; timm's ViTs save their LayerNorms with
   * 1e-6. Canonicalisation keeps it (a LayerNorm and the RMSNorm it becomes share their ε).
   */
  normEpsilon?: number;
  /**
   * The canonical form (see `canonicalize`): every norm is an RMSNorm without parameters, its gain
   * and bias folded into the layers that read it, and (from LayerNorm) every writer of the
   * residual stream centred. The residual stream then has an orthogonal symmetry, not only
   * permutations. Set by canonicalisation; `norm` is then 'rmsnorm'.
   */
  folded?: boolean;
  /**
   * The circuit form (see `circuitForm`): a folded model whose attention heads are written as
   * their query–key and value–output circuits. Set by that rewrite, with `folded`.
   */
  circuits?: boolean;
}

/** The shape of each model's circuit-form conformance example: one block, two heads of 4. */
export const CIRCUIT_EXAMPLE_SHAPE: TransformerShape = {
  dim: 8,
  depth: 1,
  heads: 2,
  mlpWidth: 12,
  norm: 'rmsnorm',
  folded: true,
  circuits: true,
};

/** JSON Schema properties of `TransformerShape`. */
export const transformerShapeProperties = {
  dim: { type: 'integer', minimum: 1 },
  depth: { type: 'integer', minimum: 1 },
  heads: { type: 'integer', minimum: 1 },
  mlpWidth: { type: 'integer', minimum: 1 },
  norm: { enum: ['layernorm', 'rmsnorm'] },
  normEpsilon: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  folded: { type: 'boolean' },
  circuits: { type: 'boolean' },
} as const;

/** The norm every layer of the model applies (a folded model's have no parameters). */
export function normOf(config: TransformerShape): TransformerNorm {
  return config.folded ? 'unit-rmsnorm' : config.norm;
}

/** Features per head; throws a ConfigError naming `model` when the heads do not divide the width. */
export function headDim(config: TransformerShape, model: string): number {
  if (config.dim % config.heads !== 0) {
    throw new ConfigError(`${model}: heads (${config.heads}) must divide dim (${config.dim})`);
  }
  return config.dim / config.heads;
}

/** The block indices 0 … depth − 1. */
export function blockIndices(config: Pick<TransformerShape, 'depth'>): number[] {
  return Array.from({ length: config.depth }, (_, i) => i);
}
