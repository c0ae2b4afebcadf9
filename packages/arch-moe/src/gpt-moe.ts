import {
  CIRCUIT_EXAMPLE_SHAPE,
  defaultGptConfig,
  inferGptConfig,
  type GptConfig,
  gptConfigProperties,
  gptModel,
  gptRequired,
} from '@weightspace/layers';
import {
  checkMoeTransformer,
  moeOrDense,
  type MoeTransformerFields,
  moeTransformerSchema,
  withDefaultMoe,
  withMoeInferred,
} from './moe-blocks';

/** A GPT with MoE layers in place of the MLP of the blocks `moeBlocks`. */
export interface GptMoeConfig extends GptConfig, MoeTransformerFields {}

/** JSON Schema of the `gpt-moe` config. */
export const gptMoeConfigSchema = moeTransformerSchema('gpt-moe', gptRequired, gptConfigProperties);

const ID = 'gpt-moe';

const example: GptMoeConfig = {
  vocabulary: 11,
  context: 6,
  tied: true,
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
 * `gpt-moe`: the GPT of `@weightspace/arch-transformer` (nanoGPT names) with the MLP of the blocks
 * `moeBlocks` replaced by an MoE layer of GELU experts under the same prefix
 * (`transformer.h.{i}.mlp.gate.weight`, `transformer.h.{i}.mlp.experts.{k}.fc1.weight` or stacked
 * `…mlp.experts.fc1.weight`, `…mlp.shared_experts.{s}.*`), routed per token.
 * Its symmetry is the GPT's (stream, heads, per-head maps, the dense MLPs' units) and each MoE
 * layer's (experts, their hidden units batched over them, shared experts' units); its canonical
 * form folds the norms into the gate and the experts too, and centres each gate.
 */
export const gptMoe = gptModel<GptMoeConfig>({
  id: ID,
  description: 'GPT decoder (nanoGPT layout) with MoE layers in place of the first, last or every block MLP',
  configSchema: gptMoeConfigSchema,
  // Where every block is an MoE layer, mlpWidth is the experts' width: no dense MLP tells it.
  examples: [
    example,
    { ...example, moeBlocks: [1], topK: 2, sharedExperts: 1 },
    { ...example, norm: 'rmsnorm', moeBlocks: [0, 1], mlpWidth: 6, experts: 4, topK: 2, layout: 'stacked' },
    { ...example, depth: 1, mlpWidth: 6, norm: 'rmsnorm', folded: true, tied: false, headBias: true, sharedExperts: 1 },
    {
      ...example,
      ...CIRCUIT_EXAMPLE_SHAPE,
      mlpWidth: 6,
      tied: false,
      headBias: true,
      moeBlocks: [0],
      layout: 'stacked',
    },
  ],
  feedForward: moeOrDense,
  check: (config) => checkMoeTransformer(ID, config),
  inferConfig: (shapes, known) =>
    withMoeInferred(ID, inferGptConfig(ID, shapes, known, 0), shapes, (i) => `transformer.h.${i}.mlp`),
  defaultConfig: (data) => withDefaultMoe(defaultGptConfig(data)),
});
