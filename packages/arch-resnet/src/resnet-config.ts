import { ConfigError } from '@weightspace/core';
import type { NormParameters } from '@weightspace/layers';

/**
 * The normalisation of a ResNet: BatchNorm (with running statistics), LayerNorm over channels, or
 * none.
 */
export type NormKind = 'batchnorm' | 'layernorm' | 'none';

/**
 * A CIFAR-style ResNet (He et al. 2016, §4.2): a 3×3 stem, three stages of `(depth − 2) / 6` basic
 * blocks with 16·width, 32·width and 64·width channels (the last two start with stride 2 and a
 * 1×1 projection shortcut), global average pooling and a linear classifier.
 */
export interface ResnetConfig {
  /** One sample as [height, width, channels] (NHWC), e.g. [28, 28, 1] or [32, 32, 3]. */
  input: [number, number, number];
  classes: number;
  /** Width multiplier: the stages have 16·width, 32·width and 64·width channels. */
  width: number;
  /** `layernorm` is GroupNorm with one group: per sample over height, width and channels. */
  norm: NormKind;
  /** 6n + 2 layers, n blocks per stage; 20 when omitted (8 is the smallest). */
  depth?: number;
  /**
   * Stride of the stem convolution: 1 (CIFAR ResNets, the default) or 2 (every feature map a
   * quarter the size, as in ImageNet ResNets' strided stem: a 4× cheaper network).
   */
  stemStride?: 1 | 2;
}

/**
 * JSON Schema of the ResNet config: depth, width multiplier, normalisation, stem stride, input
 * shape, classes.
 */
export const resnetConfigSchema = {
  $id: 'weightspace/arch-resnet/config',
  type: 'object',
  additionalProperties: false,
  required: ['input', 'classes', 'width', 'norm'],
  properties: {
    input: {
      type: 'array',
      items: [
        { type: 'integer', minimum: 4 },
        { type: 'integer', minimum: 4 },
        { type: 'integer', minimum: 1 },
      ],
      minItems: 3,
      maxItems: 3,
    },
    classes: { type: 'integer', minimum: 1 },
    width: { type: 'integer', minimum: 1 },
    norm: { enum: ['batchnorm', 'layernorm', 'none'] },
    depth: { type: 'integer', minimum: 8 },
    stemStride: { enum: [1, 2] },
  },
} as const;

/** Blocks per stage: (depth − 2) / 6; throws naming the depth when it is not 6n + 2. */
export function blocksPerStage(config: ResnetConfig): number {
  const depth = config.depth ?? 20;
  if ((depth - 2) % 6 !== 0 || depth < 8)
    throw new ConfigError(`resnet20: depth ${depth} is not 6n + 2 with n ≥ 1 (8, 14, 20, 26, …)`);
  return (depth - 2) / 6;
}

export const STAGES = [1, 2, 3] as const;

/** Channels of stage s (1, 2 or 3). */
export function stageChannels(config: ResnetConfig, stage: number): number {
  return 16 * config.width * 2 ** (stage - 1);
}

/** One basic block: where it sits, its channels in and out, and its stride. */
export interface BlockInfo {
  /** Parameter-name prefix, e.g. `layer2.0`. */
  name: string;
  stage: number;
  index: number;
  channelsIn: number;
  channelsOut: number;
  stride: number;
  /** Whether it has a projection shortcut (`downsample.0` conv + `downsample.1` norm). */
  projects: boolean;
}

/**
 * The residual blocks of a config in order, with their stage, channels, stride and whether they
 * have a projection shortcut.
 */
export function blocksOf(config: ResnetConfig): BlockInfo[] {
  const n = blocksPerStage(config);
  const blocks: BlockInfo[] = [];
  for (const stage of STAGES) {
    for (let index = 0; index < n; index++) {
      const first = index === 0 && stage > 1;
      const channelsOut = stageChannels(config, stage);
      const channelsIn = first ? stageChannels(config, stage - 1) : channelsOut;
      blocks.push({
        name: `layer${stage}.${index}`,
        stage,
        index,
        channelsIn,
        channelsOut,
        stride: first ? 2 : 1,
        projects: first,
      });
    }
  }
  return blocks;
}

/** What each normalisation layer stores (null for `norm: 'none'`): BatchNorm keeps running statistics. */
export function normStored(config: ResnetConfig): NormParameters | null {
  return config.norm === 'none' ? null : config.norm === 'batchnorm' ? 'affine+running' : 'affine';
}

/** Each convolution with its norm layer's prefix: the stem, then every block's convs and shortcut. */
export function convUnits(
  config: ResnetConfig,
): Array<{ conv: string; norm: string; out: number; in: number; kernel: number; lastOfBlock: boolean }> {
  const units = [
    { conv: 'conv1', norm: 'bn1', out: stageChannels(config, 1), in: config.input[2], kernel: 3, lastOfBlock: false },
  ];
  for (const block of blocksOf(config)) {
    const b = block.name;
    units.push({
      conv: `${b}.conv1`,
      norm: `${b}.bn1`,
      out: block.channelsOut,
      in: block.channelsIn,
      kernel: 3,
      lastOfBlock: false,
    });
    units.push({
      conv: `${b}.conv2`,
      norm: `${b}.bn2`,
      out: block.channelsOut,
      in: block.channelsOut,
      kernel: 3,
      lastOfBlock: true,
    });
    if (block.projects)
      units.push({
        conv: `${b}.downsample.0`,
        norm: `${b}.downsample.1`,
        out: block.channelsOut,
        in: block.channelsIn,
        kernel: 1,
        lastOfBlock: false,
      });
  }
  return units;
}
