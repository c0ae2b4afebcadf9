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
import { imageShapeOf } from '../image-shape';
import { linear, initLinear } from '../linear';
import { initNorm } from '../norms';
import { initPatchEmbedding, patchEmbedding, patchEmbeddingAxes } from '../patch-embedding';
import { timmBlockNames, transformerNorm, transformerNormStored } from '../transformer-block';
import { blocksLayout } from './canonical-form';
import { type CanonicalLayout, normReader, writerRows } from './canonical-layout';
import { inferTransformerShape } from './infer-transformer-shape';
import { headDim, normOf, type TransformerShape, transformerShapeProperties } from './transformer-shape';
import { familyCanonicalForm, familyFields, type TransformerFamily } from './transformer-family';
import { initBlocks, runBlocks } from './transformer-stack';
import { STREAM, transformerSymmetry } from './transformer-symmetry';
import { featureRecorder } from './transformer-taps';

/** A Vision Transformer for small images: `patch`×`patch` patches, a class token, learned positions. */
export interface VitConfig extends TransformerShape {
  /** One image as [height, width, channels]; flat samples are reshaped to it. */
  input: [number, number, number];
  patch: number;
  classes: number;
}

/** The JSON Schema properties of a ViT's config. */
export const vitConfigProperties = {
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
} as const;
/** The fields a ViT's config requires. */
export const vitRequired = ['input', 'patch', 'classes', 'dim', 'depth', 'heads', 'mlpWidth', 'norm'] as const;

/** Patches per image; throws naming the patch size when it does not tile the image. */
function patchCount(config: VitConfig, id: string): number {
  const [h, w] = config.input;
  if (h % config.patch !== 0 || w % config.patch !== 0) {
    throw new ConfigError(`${id}: patch ${config.patch} does not tile ${h}×${w} images`);
  }
  return (h / config.patch) * (w / config.patch);
}

const blockNames = (i: number) => timmBlockNames(`blocks.${i}`);

/**
 * A ViT family's architecture in timm's parameter names and layouts (`patch_embed.proj.weight`,
 * `cls_token`, `pos_embed`, `blocks.{i}.norm1.weight`, `blocks.{i}.attn.qkv.weight` [3d, d],
 * `blocks.{i}.attn.proj.weight`, the feed-forward part under `blocks.{i}.mlp`, `norm.weight`,
 * `head.weight`): pre-norm blocks, the class token's final state read by a linear head; its
 * symmetry, canonical and circuit forms and feature taps, the feed-forward parts' included.
 */
export function vitModel<C extends VitConfig>(family: TransformerFamily<C>): ArchitecturePlugin<C> {
  const { id, feedForward } = family;

  function layout(config: C): CanonicalLayout {
    const blocks = blocksLayout(config, blockNames, feedForward);
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

  return {
    ...familyFields(family, blockNames, familyCanonicalForm(family, blockNames, layout)),
    init(config, seed) {
      family.check?.(config);
      headDim(config, id);
      const rng = new Rng(seed);
      const tokens = patchCount(config, id) + 1;
      return {
        ...initPatchEmbedding(rng.fork('patch_embed'), 'patch_embed', config.input[2], config.dim, config.patch),
        // timm draws both from small normals (trunc_normal(0.02) for positions).
        cls_token: tf.tensor3d(rng.fork('cls_token').normalArray(config.dim, 0.02), [1, 1, config.dim]),
        pos_embed: tf.tensor3d(rng.fork('pos_embed').normalArray(tokens * config.dim, 0.02), [1, tokens, config.dim]),
        ...initBlocks(rng, config, blockNames, feedForward),
        ...initNorm('norm', config.dim, transformerNormStored(normOf(config))),
        ...initLinear(rng.fork('head'), 'head', config.dim, config.classes),
      };
    },
    apply(config: C, params: Params, x: tf.Tensor, options: ApplyOptions = {}): ApplyResult {
      const { features, record } = featureRecorder(options.taps);
      const images = (x.rank === 4 ? x : x.reshape([x.shape[0], ...config.input])) as tf.Tensor4D;
      const n = images.shape[0];
      const patches = patchEmbedding(params, 'patch_embed', images, config.patch);
      const cls = tf.tile(params.cls_token, [n, 1, 1]);
      const embedded = record('embed', tf.add(tf.concat([cls, patches], 1), params.pos_embed) as tf.Tensor3D);
      const h = runBlocks(config, params, blockNames, feedForward, embedded, record);
      const final = transformerNorm(normOf(config), params, 'norm', h, config.normEpsilon);
      const pooled = tf.squeeze(tf.slice(final, [0, 0, 0], [n, 1, config.dim]), [1]);
      return { logits: linear(params, 'head', pooled), features };
    },
    symmetry: (config) =>
      transformerSymmetry(
        config,
        id,
        blockNames,
        feedForward,
        {
          ...patchEmbeddingAxes('patch_embed', STREAM),
          cls_token: [null, null, writes(STREAM)],
          pos_embed: [null, null, writes(STREAM)],
        },
        { 'head.weight': [null, reads(STREAM)], 'head.bias': [null] },
        'norm',
      ),
    inputShape: (config) => config.input,
    evaluationBatchSize: (config) =>
      Math.max(16, Math.floor(2 ** 21 / ((patchCount(config, id) + 1) * Math.max(config.dim, config.mlpWidth)))),
  };
}

/**
 * The ViT part of a config from checkpoint shapes (timm names): image, patch, classes and the
 * transformer's shape (see `inferTransformerShape`; `mlpWidth` when no block has a dense MLP).
 */
export function inferVitConfig(
  id: string,
  shapes: ParamShapes,
  known: Readonly<Record<string, unknown>> = {},
  mlpWidth?: number,
): VitConfig {
  const proj = shapes['patch_embed.proj.weight'];
  const pos = shapes['pos_embed'];
  const head = shapes['head.weight'];
  if (!proj || proj.length !== 4) throw new ConfigError(`${id}: no 4-axis tensor 'patch_embed.proj.weight'`);
  if (!pos || pos.length !== 3) throw new ConfigError(`${id}: no 3-axis tensor 'pos_embed' [1, tokens, dim]`);
  if (!head) throw new ConfigError(`${id}: no tensor 'head.weight'`);
  const [, channels, patch] = proj;
  const side = Math.round(Math.sqrt(pos[1] - 1));
  if (side * side !== pos[1] - 1)
    throw new ConfigError(`${id}: 'pos_embed' holds ${pos[1] - 1} patches, not a square grid`);
  const shape = inferTransformerShape(
    shapes,
    id,
    {
      dim: proj[0],
      block: (i) => `blocks.${i}`,
      norm: 'blocks.0.norm1',
      mlp: (i) => `${blockNames(i).fc1}.weight`,
      mlpWidth,
    },
    known,
  );
  return { input: [side * patch, side * patch, channels], patch, classes: head[0], ...shape };
}

/** A small ViT for a dataset's images: 7×7 patches where they tile it (MNIST), else 4×4; width 64, 2 blocks of 4 heads. */
export function defaultVitConfig(id: string, data: { inputShape: readonly number[]; classes: number }): VitConfig {
  const input = imageShapeOf(data.inputShape, id);
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
}
