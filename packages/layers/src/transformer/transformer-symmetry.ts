import type { GroupDeclaration, ParamFamily, SymmetrySpec } from '@weightspace/core';
import type { LayerAxes } from '../axes';
import { normAxes } from '../norms';
import { blockAttentionAxes, type TransformerBlockNames, transformerNormStored } from '../transformer-block';
import { blockNamesIn } from './circuit-form';
import type { FeedForwardOf } from './feed-forward';
import { blockIndices, headDim, normOf, type TransformerShape } from './transformer-shape';

/** The residual stream's group: one for the whole network, since every block reads and writes it. */
export const STREAM = 'stream';

/**
 * The symmetry of a pre-norm transformer, as Theus et al. 2025 assign it:
 * - `stream`: the residual stream, orthogonal in the canonical (folded) form, where every norm is
 *   a parameter-free RMSNorm; a permutation otherwise (LayerNorm and a gain commute with
 *   permutations only);
 * - per block i: `heads.i`, a block permutation of the heads; `qk.i` and `ov.i`, invertible maps
 *   inside each head batched over `heads.i` (q ↦ M·q, k ↦ M⁻ᵀ·k; v ↦ M·v, output columns ↦ ·M⁻¹),
 *   except in the circuit form, whose circuits those maps leave unchanged; and the feed-forward
 *   part's own groups (the dense MLP's `mlp.i`, a permutation of its hidden units).
 * `embeddings` and `readout` are the model's own entries around the blocks.
 */
export function transformerSymmetry<C extends TransformerShape>(
  config: C,
  model: string,
  blockNames: (i: number) => TransformerBlockNames,
  feedForward: FeedForwardOf<C>,
  embeddings: LayerAxes,
  readout: LayerAxes,
  finalNorm: string,
): SymmetrySpec {
  const dh = headDim(config, model);
  const groups: Record<string, GroupDeclaration> = {
    [STREAM]: config.folded ? { kind: 'orthogonal', size: config.dim } : { kind: 'permutation', size: config.dim },
  };
  const axes: LayerAxes = { ...embeddings };
  const families: ParamFamily[] = [];
  const names = blockNamesIn(config, blockNames);
  for (const i of blockIndices(config)) {
    // Circuits absorb the per-head maps: only the heads' order is left of their symmetry.
    const maps = config.circuits ? {} : { qk: `qk.${i}`, ov: `ov.${i}` };
    const attention = { heads: `heads.${i}`, ...maps };
    groups[attention.heads] = { kind: 'block-permutation', size: config.heads, blockSize: dh };
    if (maps.qk) groups[maps.qk] = { kind: 'invertible', size: dh, batchedOver: attention.heads };
    if (maps.ov) groups[maps.ov] = { kind: 'invertible', size: dh, batchedOver: attention.heads };
    const part = feedForward(config, i).symmetry(names(i), config, STREAM, i);
    Object.assign(groups, part.groups);
    Object.assign(axes, blockAttentionAxes(names(i), normOf(config), { stream: STREAM, ...attention }), part.axes);
    families.push(...(part.families ?? []));
  }
  Object.assign(axes, normAxes(finalNorm, STREAM, transformerNormStored(normOf(config))), readout);
  return families.length ? { groups, axes, families } : { groups, axes };
}
