import {
  CIRCUIT_EXAMPLE_SHAPE,
  defaultVitConfig,
  inferVitConfig,
  type VitConfig,
  vitConfigProperties,
  vitModel,
  vitRequired,
} from '@weightspace/layers';
import {
  checkMoeTransformer,
  moeOrDense,
  type MoeTransformerFields,
  moeTransformerSchema,
  withDefaultMoe,
  withMoeInferred,
} from './moe-blocks';

/** A ViT with MoE layers in place of the MLP of the blocks `moeBlocks`. */
export interface VitMoeConfig extends VitConfig, MoeTransformerFields {}

/** JSON Schema of the `vit-moe` config. */
export const vitMoeConfigSchema = moeTransformerSchema('vit-moe', vitRequired, vitConfigProperties);

const ID = 'vit-moe';

const example: VitMoeConfig = {
  input: [8, 8, 1],
  patch: 4,
  classes: 3,
  dim: 8,
  depth: 2,
  heads: 2,
  mlpWidth: 12,
  norm: 'layernorm',
  experts: 3,
  expertWidth: 6,
  moeBlocks: [0],
};

/**
 * `vit-moe`: the ViT of `@weightspace/arch-transformer` (timm names) with the MLP of the blocks
 * `moeBlocks` replaced by an MoE layer of GELU experts under the same prefix
 * (`blocks.{i}.mlp.gate.weight`, `blocks.{i}.mlp.experts.{k}.fc1.weight` or stacked
 * `blocks.{i}.mlp.experts.fc1.weight`, `blocks.{i}.mlp.shared_experts.{s}.*`), routed per token.
 * Its symmetry is the ViT's (stream, heads, per-head maps, the dense MLPs' units) and each MoE
 * layer's (experts, their hidden units batched over them, shared experts' units); its canonical
 * form folds the norms into the gate and the experts too, and centres each gate.
 */
export const vitMoe = vitModel<VitMoeConfig>({
  id: ID,
  description: 'ViT (timm layout) with MoE layers in place of the first, last or every block MLP',
  configSchema: vitMoeConfigSchema,
  // Where every block is an MoE layer, mlpWidth is the experts' width: no dense MLP tells it.
  examples: [
    example,
    { ...example, moeBlocks: [1], topK: 2, sharedExperts: 1 },
    { ...example, norm: 'rmsnorm', moeBlocks: [0, 1], mlpWidth: 6, experts: 4, topK: 2, layout: 'stacked' },
    { ...example, depth: 1, mlpWidth: 6, norm: 'rmsnorm', folded: true, sharedExperts: 1 },
    { ...example, ...CIRCUIT_EXAMPLE_SHAPE, mlpWidth: 6, moeBlocks: [0], layout: 'stacked' },
  ],
  feedForward: moeOrDense,
  check: (config) => checkMoeTransformer(ID, config),
  inferConfig: (shapes, known) =>
    withMoeInferred(ID, inferVitConfig(ID, shapes, known, 0), shapes, (i) => `blocks.${i}.mlp`),
  defaultConfig: (data) => withDefaultMoe(defaultVitConfig(ID, data)),
});
