import * as tf from '@tensorflow/tfjs';
import {
  type ApplyOptions,
  type ApplyResult,
  type ArchitecturePlugin,
  ConfigError,
  type ParamShapes,
  type Params,
  Rng,
} from '@weightspace/core';
import { reads, writes } from '../axes';
import { initEmbedding } from '../embedding';
import { linear } from '../linear';
import { initNorm } from '../norms';
import { nanoGptBlockNames, transformerNorm, transformerNormStored } from '../transformer-block';
import { blocksLayout } from './canonical-form';
import { type CanonicalLayout, type NormReader, normReader } from './canonical-layout';
import { inferTransformerShape } from './infer-transformer-shape';
import { headDim, normOf, type TransformerShape, transformerShapeProperties } from './transformer-shape';
import { familyCanonicalForm, familyFields, type TransformerFamily } from './transformer-family';
import { initBlocks, runBlocks } from './transformer-stack';
import { STREAM, transformerSymmetry } from './transformer-symmetry';
import { featureRecorder } from './transformer-taps';

/** A character-level GPT decoder: a `vocabulary` of tokens, windows of `context` positions. */
export interface GptConfig extends TransformerShape {
  vocabulary: number;
  context: number;
  /** The language-model head reuses the token embedding (nanoGPT's default); untied when false. */
  tied: boolean;
  /** The head has a bias (the canonical form's, which holds the folded final norm's bias). */
  headBias?: boolean;
}

/** The JSON Schema properties of a GPT's config. */
export const gptConfigProperties = {
  vocabulary: { type: 'integer', minimum: 1 },
  context: { type: 'integer', minimum: 1 },
  tied: { type: 'boolean' },
  headBias: { type: 'boolean' },
  ...transformerShapeProperties,
} as const;
/** The fields a GPT's config requires. */
export const gptRequired = ['vocabulary', 'context', 'tied', 'dim', 'depth', 'heads', 'mlpWidth', 'norm'] as const;

const blockNames = (i: number) => nanoGptBlockNames(`transformer.h.${i}`);

/**
 * Token embeddings as a one-hot product rather than a gather: its gradient is a matrix product,
 * which every backend has (wasm has no UnsortedSegmentSum, the gather's gradient), and for a
 * character vocabulary it costs little.
 */
function embedTokens(table: tf.Tensor, ids: tf.Tensor2D): tf.Tensor3D {
  const [batch, positions] = ids.shape;
  const vocabulary = table.shape[0];
  const oneHot = tf.oneHot(tf.cast(ids.reshape([-1]), 'int32'), vocabulary);
  return tf.matMul(oneHot, table as tf.Tensor2D).reshape([batch, positions, -1]);
}

/**
 * A GPT family's architecture in nanoGPT's parameter names and layouts (`transformer.wte.weight`,
 * `transformer.wpe.weight`, `transformer.h.{i}.ln_1.weight`, `…attn.c_attn.weight` [3d, d],
 * `…attn.c_proj.weight`, the feed-forward part under `transformer.h.{i}.mlp`,
 * `transformer.ln_f.weight`, `lm_head.weight` unless tied): causal pre-norm blocks. Inputs are
 * token ids [batch, positions] (as floats, the way datasets store samples); the logits have one
 * row per position, predicting the token after it.
 */
export function gptModel<C extends GptConfig>(family: TransformerFamily<C>): ArchitecturePlugin<C> {
  const { id, feedForward } = family;

  function layout(config: C): CanonicalLayout {
    const blocks = blocksLayout(config, blockNames, feedForward);
    const head: NormReader = {
      ...normReader('lm_head'),
      ...(config.tied ? { source: 'transformer.wte.weight' } : {}),
    };
    return {
      norms: [...blocks.norms, { norm: 'transformer.ln_f', readers: [head] }],
      writers: [
        { param: 'transformer.wte.weight', axis: 1 },
        { param: 'transformer.wpe.weight', axis: 1 },
        ...blocks.writers,
      ],
    };
  }

  // Untied, with a head bias (which holds the final norm's bias).
  const canonicalize = familyCanonicalForm(family, blockNames, layout, { tied: false, headBias: true } as Partial<C>);

  return {
    ...familyFields(family, blockNames, canonicalize),
    init(config, seed) {
      family.check?.(config);
      headDim(config, id);
      const rng = new Rng(seed);
      // GPT-2's initialisation of both embeddings: N(0, 0.02²).
      const params: Params = {
        ...initEmbedding(rng.fork('wte'), 'transformer.wte', config.vocabulary, config.dim, 0.02),
        ...initEmbedding(rng.fork('wpe'), 'transformer.wpe', config.context, config.dim, 0.02),
        ...initBlocks(rng, config, blockNames, feedForward),
        ...initNorm('transformer.ln_f', config.dim, transformerNormStored(normOf(config))),
      };
      if (!config.tied) {
        params['lm_head.weight'] = tf.tensor2d(rng.fork('lm_head').normalArray(config.vocabulary * config.dim, 0.02), [
          config.vocabulary,
          config.dim,
        ]);
      }
      if (config.headBias) params['lm_head.bias'] = tf.zeros([config.vocabulary]);
      return params;
    },
    apply(config: C, params: Params, x: tf.Tensor, options: ApplyOptions = {}): ApplyResult {
      const { features, record } = featureRecorder(options.taps);
      const ids = (x.rank === 2 ? x : x.reshape([x.shape[0], -1])) as tf.Tensor2D;
      const positions = ids.shape[1];
      if (positions > config.context) {
        throw new ConfigError(`${id}: ${positions} positions exceed the context of ${config.context}`);
      }
      const wpe = tf.slice(params['transformer.wpe.weight'], [0, 0], [positions, config.dim]);
      const embedded = record('embed', tf.add(embedTokens(params['transformer.wte.weight'], ids), wpe) as tf.Tensor3D);
      const h = runBlocks(config, params, blockNames, feedForward, embedded, record, true);
      const final = transformerNorm(normOf(config), params, 'transformer.ln_f', h, config.normEpsilon);
      const head = config.tied ? 'transformer.wte' : 'lm_head';
      const logits = linear(
        { [`${head}.weight`]: params[`${head}.weight`], [`${head}.bias`]: params['lm_head.bias'] },
        head,
        final,
      );
      return { logits: logits.reshape([-1, config.vocabulary]), features };
    },
    symmetry: (config) =>
      transformerSymmetry(
        config,
        id,
        blockNames,
        feedForward,
        { 'transformer.wte.weight': [null, writes(STREAM)], 'transformer.wpe.weight': [null, writes(STREAM)] },
        {
          ...(config.tied ? {} : { 'lm_head.weight': [null, reads(STREAM)] }),
          ...(config.headBias ? { 'lm_head.bias': [null] } : {}),
        },
        'transformer.ln_f',
      ),
    inputShape: (config) => [config.context],
    readsTokens: true,
    randomInput: (config, batch, seed) => {
      const rng = new Rng(seed).fork('tokens');
      const ids = Float32Array.from({ length: batch * config.context }, () =>
        Math.floor(rng.next() * config.vocabulary),
      );
      return tf.tensor2d(ids, [batch, config.context]);
    },
    evaluationBatchSize: (config) =>
      Math.max(1, Math.floor(2 ** 21 / (config.context * Math.max(config.vocabulary, config.mlpWidth)))),
  };
}

/**
 * The GPT part of a config from checkpoint shapes (nanoGPT names): vocabulary, context, tying,
 * head bias and the transformer's shape (see `inferTransformerShape`; `mlpWidth` when no block has
 * a dense MLP).
 */
export function inferGptConfig(
  id: string,
  shapes: ParamShapes,
  known: Readonly<Record<string, unknown>> = {},
  mlpWidth?: number,
): GptConfig {
  const wte = shapes['transformer.wte.weight'];
  const wpe = shapes['transformer.wpe.weight'];
  if (!wte || wte.length !== 2) throw new ConfigError(`${id}: no 2-axis tensor 'transformer.wte.weight'`);
  if (!wpe || wpe.length !== 2) throw new ConfigError(`${id}: no 2-axis tensor 'transformer.wpe.weight'`);
  const shape = inferTransformerShape(
    shapes,
    id,
    {
      dim: wte[1],
      block: (i) => `transformer.h.${i}`,
      norm: 'transformer.h.0.ln_1',
      mlp: (i) => `${blockNames(i).fc1}.weight`,
      mlpWidth,
    },
    known,
  );
  return {
    vocabulary: wte[0],
    context: wpe[0],
    tied: shapes['lm_head.weight'] === undefined,
    ...(shapes['lm_head.bias'] ? { headBias: true } : {}),
    ...shape,
  };
}

/** A small character GPT for a text dataset: width 64, 2 blocks of 4 heads, tied embeddings. */
export function defaultGptConfig(data: { inputShape: readonly number[]; classes: number }): GptConfig {
  return {
    vocabulary: data.classes,
    context: data.inputShape[0],
    tied: true,
    dim: 64,
    depth: 2,
    heads: 4,
    mlpWidth: 256,
    norm: 'layernorm',
  };
}
