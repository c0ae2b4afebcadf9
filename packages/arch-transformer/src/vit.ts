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
import { featureRecorder, transformerFeatureGraph } from './transformer-taps';
import {
  imageShapeOf,
  initLinear,
  initNorm,
  initPatchEmbedding,
  linear,
  patchEmbedding,
  patchEmbeddingAxes,
  reads,
  timmBlockNames,
  transformerNorm,
  transformerNormStored,
  writes,
} from '@weightspace/layers';
import { blocksLayout, type CanonicalLayout, canonicalParams, normReader, writerRows } from './canonical-form';
import { initBlocks, runBlocks } from './transformer-stack';
import { circuitForm } from './circuit-form';
import {
  blockIndices,
  CIRCUIT_EXAMPLE_SHAPE,
  headDim,
  normOf,
  type TransformerShape,
  transformerShapeProperties,
} from './transformer-config';
import { inferTransformerShape } from './infer-shape';
import { STREAM, transformerSymmetry } from './transformer-symmetry';

/** A Vision Transformer for small images: `patch`×`patch` patches, a class token, learned positions. */
export interface VitConfig extends TransformerShape {
  /** One image as [height, width, channels]; flat samples are reshaped to it. */
  input: [number, number, number];
  patch: number;
  classes: number;
}

/** JSON Schema of the ViT config. */
export const vitConfigSchema = {
  $id: 'weightspace/arch-transformer/vit',
  type: 'object',
  additionalProperties: false,
  required: ['input', 'patch', 'classes', 'dim', 'depth', 'heads', 'mlpWidth', 'norm'],
  properties: {
    input: {
      type: 'array',
      items: [
        { type: 'integer', minimum: 1 },
        { type: 'integer', minimum: 1 },
        { type: 'integer', minimum: 1 },
      ],
      minItems: 3,
      maxItems: 3,
    },
    patch: { type: 'integer', minimum: 1 },
    classes: { type: 'integer', minimum: 1 },
    ...transformerShapeProperties,
  },
} as const;

const ID = 'vit';

/** Patches per image; throws naming the patch size when it does not tile the image. */
function patchCount(config: VitConfig): number {
  const [h, w] = config.input;
  if (h % config.patch !== 0 || w % config.patch !== 0) {
    throw new ConfigError(`${ID}: patch ${config.patch} does not tile ${h}×${w} images`);
  }
  return (h / config.patch) * (w / config.patch);
}

const blockNames = (i: number) => timmBlockNames(`blocks.${i}`);

function initVit(config: VitConfig, seed: number): Params {
  const rng = new Rng(seed);
  const tokens = patchCount(config) + 1;
  headDim(config, ID);
  const params: Params = {
    ...initPatchEmbedding(rng.fork('patch_embed'), 'patch_embed', config.input[2], config.dim, config.patch),
    // timm draws both from small normals (trunc_normal(0.02) for positions).
    cls_token: tf.tensor3d(rng.fork('cls_token').normalArray(config.dim, 0.02), [1, 1, config.dim]),
    pos_embed: tf.tensor3d(rng.fork('pos_embed').normalArray(tokens * config.dim, 0.02), [1, tokens, config.dim]),
  };
  return {
    ...params,
    ...initBlocks(rng, config, blockNames),
    ...initNorm('norm', config.dim, transformerNormStored(normOf(config))),
    ...initLinear(rng.fork('head'), 'head', config.dim, config.classes),
  };
}

function applyVit(config: VitConfig, params: Params, x: tf.Tensor, options: ApplyOptions = {}): ApplyResult {
  const { features, record } = featureRecorder(options.taps);
  const images = (x.rank === 4 ? x : x.reshape([x.shape[0], ...config.input])) as tf.Tensor4D;
  const n = images.shape[0];
  const patches = patchEmbedding(params, 'patch_embed', images, config.patch);
  const cls = tf.tile(params.cls_token, [n, 1, 1]);
  const embedded = record('embed', tf.add(tf.concat([cls, patches], 1), params.pos_embed) as tf.Tensor3D);
  const h = runBlocks(config, params, blockNames, embedded, record);
  const pooled = tf.squeeze(
    tf.slice(transformerNorm(normOf(config), params, 'norm', h, config.normEpsilon), [0, 0, 0], [n, 1, config.dim]),
    [1],
  );
  return { logits: linear(params, 'head', pooled), features };
}

/** Where the ViT's norms, their readers and the residual writers are (see `foldNorms`). */
function vitLayout(config: VitConfig): CanonicalLayout {
  const blocks = blocksLayout(blockIndices(config).map(blockNames));
  return {
    norms: [...blocks.norms, { norm: 'norm', readers: [normReader('head')] }],
    writers: [
      ...writerRows('patch_embed.proj'),
      { param: 'cls_token', axis: 2 },
      { param: 'pos_embed', axis: 2 },
      ...blocks.writers,
    ],
  };
}

/** The ViT's canonical form (see `canonicalParams`). */
function canonicalVit(config: VitConfig, params: Params): { config: VitConfig; params: Params } {
  return {
    config: { ...config, norm: 'rmsnorm', folded: true },
    params: canonicalParams(config, params, () => vitLayout(config)),
  };
}

/** A ViT's config from checkpoint shapes (timm names); heads as recorded or known (`--heads`), else one per 64 features. */
function inferVit(shapes: ParamShapes, known: Readonly<Record<string, unknown>> = {}): VitConfig {
  const proj = shapes['patch_embed.proj.weight'];
  const pos = shapes['pos_embed'];
  const head = shapes['head.weight'];
  if (!proj || proj.length !== 4) throw new ConfigError(`${ID}: no 4-axis tensor 'patch_embed.proj.weight'`);
  if (!pos || pos.length !== 3) throw new ConfigError(`${ID}: no 3-axis tensor 'pos_embed' [1, tokens, dim]`);
  if (!head) throw new ConfigError(`${ID}: no tensor 'head.weight'`);
  const [, channels, patch] = proj;
  const side = Math.round(Math.sqrt(pos[1] - 1));
  if (side * side !== pos[1] - 1)
    throw new ConfigError(`${ID}: 'pos_embed' holds ${pos[1] - 1} patches, not a square grid`);
  const shape = inferTransformerShape(
    shapes,
    ID,
    {
      dim: proj[0],
      block: (i) => `blocks.${i}`,
      norm: 'blocks.0.norm1',
      mlp: 'blocks.0.mlp.fc1.weight',
    },
    known,
  );
  return { input: [side * patch, side * patch, channels], patch, classes: head[0], ...shape };
}

/**
 * A Vision Transformer in timm's parameter names and layouts (`patch_embed.proj.weight`,
 * `cls_token`, `pos_embed`, `blocks.{i}.norm1.weight`, `blocks.{i}.attn.qkv.weight` [3d, d],
 * `blocks.{i}.attn.proj.weight`, `blocks.{i}.mlp.fc1.weight`, …, `norm.weight`, `head.weight`):
 * pre-norm blocks with GELU MLPs, the class token's final state read by a linear head.
 */
export const vit: ArchitecturePlugin<VitConfig> = {
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
  init: initVit,
  apply: applyVit,
  featureGraph: transformerFeatureGraph,
  symmetry: (config) =>
    transformerSymmetry(
      config,
      ID,
      blockNames,
      {
        ...patchEmbeddingAxes('patch_embed', STREAM),
        cls_token: [null, null, writes(STREAM)],
        pos_embed: [null, null, writes(STREAM)],
      },
      { 'head.weight': [null, reads(STREAM)], 'head.bias': [null] },
      'norm',
    ),
  canonicalize: canonicalVit,
  forms: [circuitForm(canonicalVit, blockNames)],
  normalisation: () => [],
  inferConfig: inferVit,
  inputShape: (config) => config.input,
  evaluationBatchSize: (config) =>
    Math.max(16, Math.floor(2 ** 21 / ((patchCount(config) + 1) * Math.max(config.dim, config.mlpWidth)))),
  defaultConfig: (data) => {
    const input = imageShapeOf(data.inputShape, ID);
    return {
      input,
      patch: input[0] % 7 === 0 ? 7 : 4,
      classes: data.classes,
      dim: 64,
      depth: 2,
      heads: 4,
      mlpWidth: 128,
      norm: 'layernorm',
    };
  },
};
