import { type MoeLayerConfig, moeLayerConfigProperties } from './moe-layer-config';

/**
 * Tran et al.'s minimal MoE model: flatten → dense (`width` units, ReLU) → an MoE layer of width
 * `width` → dense (`classes`).
 */
export interface MoeMlpConfig extends MoeLayerConfig {
  input: number;
  width: number;
  classes: number;
}

/** JSON Schema of the `moe-mlp` config. */
export const moeMlpConfigSchema = {
  $id: 'weightspace/arch-moe/moe-mlp-config',
  type: 'object',
  additionalProperties: false,
  required: ['input', 'width', 'experts', 'expertWidth', 'classes'],
  properties: {
    input: { type: 'integer', minimum: 1 },
    width: { type: 'integer', minimum: 1 },
    classes: { type: 'integer', minimum: 1 },
    ...moeLayerConfigProperties,
  },
} as const;
