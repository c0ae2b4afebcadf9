import {
  CIRCUIT_EXAMPLE_SHAPE,
  defaultGptConfig,
  denseFeedForward,
  type GptConfig,
  gptConfigProperties,
  gptModel,
  gptRequired,
  inferGptConfig,
} from '@weightspace/layers';

export type { GptConfig } from '@weightspace/layers';

/** JSON Schema of the GPT config. */
export const gptConfigSchema = {
  $id: 'weightspace/arch-transformer/gpt',
  type: 'object',
  additionalProperties: false,
  required: gptRequired,
  properties: gptConfigProperties,
} as const;

const ID = 'gpt';

/**
 * A GPT decoder in nanoGPT's parameter names and layouts (`transformer.wte.weight`,
 * `transformer.wpe.weight`, `transformer.h.{i}.ln_1.weight`, `…attn.c_attn.weight` [3d, d],
 * `…attn.c_proj.weight`, `…mlp.c_fc.weight`, `…mlp.c_proj.weight`, `transformer.ln_f.weight`,
 * `lm_head.weight` unless tied): causal pre-norm blocks with GELU MLPs. Inputs are token ids
 * [batch, positions] (as floats, the way datasets store samples); the logits have one row per
 * position, predicting the token after it.
 */
export const gpt = gptModel<GptConfig>({
  id: ID,
  description: 'GPT decoder (nanoGPT layout): token ids, causal pre-norm blocks; layernorm | rmsnorm, tied or untied',
  configSchema: gptConfigSchema,
  examples: [
    { vocabulary: 11, context: 6, tied: true, dim: 8, depth: 2, heads: 2, mlpWidth: 12, norm: 'layernorm' },
    { vocabulary: 11, context: 6, tied: false, dim: 8, depth: 1, heads: 2, mlpWidth: 12, norm: 'rmsnorm' },
    {
      vocabulary: 11,
      context: 6,
      tied: false,
      headBias: true,
      dim: 8,
      depth: 2,
      heads: 2,
      mlpWidth: 12,
      norm: 'rmsnorm',
      folded: true,
    },
    { vocabulary: 11, context: 6, tied: false, headBias: true, ...CIRCUIT_EXAMPLE_SHAPE },
  ],
  feedForward: () => denseFeedForward,
  inferConfig: (shapes, known) => inferGptConfig(ID, shapes, known),
  defaultConfig: defaultGptConfig,
});
