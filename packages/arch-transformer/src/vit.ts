import {
  CIRCUIT_EXAMPLE_SHAPE,
  defaultVitConfig,
  denseFeedForward,
  inferVitConfig,
  type VitConfig,
  vitConfigProperties,
  vitModel,
  vitRequired,
} from '@weightspace/layers';

export type { VitConfig } from '@weightspace/layers';

/** JSON Schema of the ViT config. */
export const vitConfigSchema = {
  $id: 'weightspace/arch-transformer/vit',
  type: 'object',
  additionalProperties: false,
  required: vitRequired,
  properties: vitConfigProperties,
} as const;

const ID = 'vit';

/**
 * A Vision Transformer in timm's parameter names and layouts (`patch_embed.proj.weight`,
 * `cls_token`, `pos_embed`, `blocks.{i}.norm1.weight`, `blocks.{i}.attn.qkv.weight` [3d, d],
 * `blocks.{i}.attn.proj.weight`, `blocks.{i}.mlp.fc1.weight`, …, `norm.weight`, `head.weight`):
 * pre-norm blocks with GELU MLPs, the class token's final state read by a linear head.
 */
export const vit = vitModel<VitConfig>({
  id: ID,
  description: 'Vision Transformer (timm layout): patches, class token, pre-norm blocks; layernorm | rmsnorm',
  configSchema: vitConfigSchema,
  examples: [
    { input: [8, 8, 1], patch: 4, classes: 3, dim: 8, depth: 2, heads: 2, mlpWidth: 12, norm: 'layernorm' },
    { input: [8, 8, 1], patch: 4, classes: 3, dim: 8, depth: 1, heads: 2, mlpWidth: 12, norm: 'rmsnorm' },
    // timm's LayerNorm ε.
    {
      input: [8, 8, 1],
      patch: 4,
      classes: 3,
      dim: 8,
      depth: 1,
      heads: 2,
      mlpWidth: 12,
      norm: 'layernorm',
      normEpsilon: 1e-6,
    },
    {
      input: [8, 8, 1],
      patch: 4,
      classes: 3,
      dim: 8,
      depth: 2,
      heads: 2,
      mlpWidth: 12,
      norm: 'rmsnorm',
      folded: true,
    },
    { input: [8, 8, 1], patch: 4, classes: 3, ...CIRCUIT_EXAMPLE_SHAPE },
  ],
  feedForward: () => denseFeedForward,
  inferConfig: (shapes, known) => inferVitConfig(ID, shapes, known),
  defaultConfig: (data) => defaultVitConfig(ID, data),
});
