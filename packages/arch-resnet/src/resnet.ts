import * as tf from '@tensorflow/tfjs';
import {
  type ApplyOptions,
  type ApplyResult,
  type ArchitecturePlugin,
  type FeatureGraph,
  type NormalisationState,
  type Params,
  Rng,
} from '@weightspace/core';
import {
  batchNorm,
  conv2d,
  groupNorm,
  imageShapeOf,
  initConv2d,
  initLinear,
  initNorm,
  linear,
} from '@weightspace/layers';
import {
  blocksOf,
  convUnits,
  type NormKind,
  normStored,
  type ResnetConfig,
  resnetConfigSchema,
  stageChannels,
} from './resnet-config';
import { inferResnetConfig } from './resnet-infer';
import { resnetSymmetry } from './resnet-symmetry';
import { resnetTaps } from './resnet-taps';

/** A convolution followed by its normalisation layer: the unit a ResNet is built of. */
interface ConvNorm {
  conv: string;
  norm: string;
  stride: number;
  pad: number;
}

/**
 * The ResNet's forward pass with a given nonlinearity (`activation(z, tap)`, where `tap` names the
 * activation's output): ReLU for `resnet20`, FiGLU for its σ-asymmetric variant. Taps: each conv's
 * output (`conv1`, `layer1.0.conv1`, …, `layer2.0.downsample.0`), each norm's output (`bn1`,
 * `layer1.0.bn1`, …, `layer2.0.downsample.1`), the stem's activation `stem`, each block's inner
 * activation `layerS.B.hidden`, its sum before the last activation `layerS.B.residual`, its
 * output `layerS.B`, and the pooled features `pool`. Feature maps are NHWC: channels last.
 */
export function resnetForward(
  config: ResnetConfig,
  params: Params,
  x: tf.Tensor,
  options: ApplyOptions,
  activation: (z: tf.Tensor4D, tap: string) => tf.Tensor4D,
): ApplyResult {
  const train = options.train ?? false;
  const features: Record<string, tf.Tensor> = {};
  const record = <T extends tf.Tensor>(tap: string, t: T): T => {
    if (!options.taps || options.taps.includes(tap)) features[tap] = t;
    return t;
  };
  const convNorm = (input: tf.Tensor4D, unit: ConvNorm): tf.Tensor4D => {
    const z = record(unit.conv, conv2d(params, unit.conv, input, { stride: unit.stride, padding: unit.pad }));
    return config.norm === 'none' ? z : record(unit.norm, normalise(config.norm, params, unit.norm, z, train));
  };

  let h = record(
    'stem',
    activation(
      convNorm(toImages(config, x), { conv: 'conv1', norm: 'bn1', stride: config.stemStride ?? 1, pad: 1 }),
      'stem',
    ),
  );
  for (const block of blocksOf(config)) {
    const b = block.name;
    const inner = record(
      `${b}.hidden`,
      activation(convNorm(h, { conv: `${b}.conv1`, norm: `${b}.bn1`, stride: block.stride, pad: 1 }), `${b}.hidden`),
    );
    const branch = convNorm(inner, { conv: `${b}.conv2`, norm: `${b}.bn2`, stride: 1, pad: 1 });
    const shortcut = block.projects
      ? convNorm(h, { conv: `${b}.downsample.0`, norm: `${b}.downsample.1`, stride: block.stride, pad: 0 })
      : h;
    const residual = record(`${b}.residual`, tf.add(branch, shortcut) as tf.Tensor4D);
    h = record(b, activation(residual, b));
  }
  const pooled = record('pool', tf.mean(h, [1, 2]) as tf.Tensor2D);
  return { logits: linear(params, 'fc', pooled), features };
}

/** A ResNet's normalisation: BatchNorm, one-group GroupNorm ("LayerNorm" of a convolutional net), or none. */
function normalise(kind: NormKind, params: Params, name: string, x: tf.Tensor4D, train: boolean): tf.Tensor4D {
  switch (kind) {
    case 'batchnorm':
      return batchNorm(params, name, x, train);
    case 'layernorm':
      return groupNorm(params, name, x, 1);
    case 'none':
      return x;
  }
}

function toImages(config: ResnetConfig, x: tf.Tensor): tf.Tensor4D {
  return (x.rank === 4 ? x : x.reshape([x.shape[0], ...config.input])) as tf.Tensor4D;
}

/**
 * Parameters as torchvision names them. Convolutions: Kaiming-normal (fan in, gain √2), no bias
 * when a norm follows; with `norm: 'none'` they have a zero bias and each block's second conv
 * starts at 1/√(blocks) of that scale, so the residual sum does not blow up with depth (as Fixup
 * argues). Norms: weight 1, bias 0, running mean 0 and variance 1. `fc`: PyTorch's Linear default,
 * uniform in ±1/√fan_in.
 */
function initResnet(config: ResnetConfig, seed: number): Params {
  const params: Params = {};
  const root = new Rng(seed);
  const blocks = blocksOf(config).length;
  const stored = normStored(config);
  for (const unit of convUnits(config)) {
    const fanIn = unit.in * unit.kernel * unit.kernel;
    const damping = config.norm === 'none' && unit.lastOfBlock ? 1 / Math.sqrt(blocks) : 1;
    const std = Math.sqrt(2 / fanIn) * damping;
    const bias = config.norm === 'none' ? 'zeros' : 'none';
    Object.assign(
      params,
      initConv2d(root.fork(`${unit.conv}.weight`), unit.conv, unit.in, unit.out, unit.kernel, { std, bias }),
    );
    if (stored) Object.assign(params, initNorm(unit.norm, unit.out, stored));
  }
  return { ...params, ...initLinear(root.fork('fc'), 'fc', stageChannels(config, 3), config.classes) };
}

/** BatchNorm layers: running statistics and the conv output they track. */
function normalisationOf(config: ResnetConfig): NormalisationState[] {
  if (config.norm !== 'batchnorm') return [];
  return convUnits(config).map((u) => ({
    runningMean: `${u.norm}.running_mean`,
    runningVar: `${u.norm}.running_var`,
    tap: u.conv,
  }));
}

/**
 * ResNet-20 (and the other 6n+2 depths) for small images, with a width multiplier and BatchNorm,
 * LayerNorm (one-group GroupNorm) or no normalisation; parameter names and layouts as torchvision
 * saves them (`conv1.weight` [out, in, kh, kw], `layer1.0.bn1.running_mean`, `fc.weight`), so a
 * PyTorch state dict saved as safetensors loads as is. Inputs are NHWC images (flat ones are
 * reshaped to `input`).
 */
export const resnet20: ArchitecturePlugin<ResnetConfig> = {
  id: 'resnet20',
  description: 'CIFAR-style ResNet-20 with width multiplier; batchnorm | layernorm | none (torchvision layout)',
  configSchema: resnetConfigSchema,
  examples: [
    { input: [8, 8, 1], classes: 3, width: 1, norm: 'batchnorm', depth: 8 },
    { input: [8, 8, 2], classes: 4, width: 1, norm: 'layernorm', depth: 8 },
    { input: [6, 6, 1], classes: 3, width: 1, norm: 'none', depth: 8 },
    { input: [8, 8, 1], classes: 2, width: 1, norm: 'batchnorm', depth: 14 },
  ],
  init: initResnet,
  apply: (config, params, x, options = {}) => resnetForward(config, params, x, options, (z) => tf.relu(z)),
  symmetry: resnetSymmetry,
  normalisation: normalisationOf,
  featureGraph: (config): FeatureGraph => resnetTaps(config),
  inputShape: (config) => config.input,
  /** About 4M floats per stage-1 feature map: the forward pass keeps a few dozen of them. */
  evaluationBatchSize: (config) => {
    const pixels = (config.input[0] * config.input[1]) / (config.stemStride ?? 1) ** 2;
    return Math.max(16, Math.min(2000, Math.floor(2 ** 22 / (pixels * stageChannels(config, 1)))));
  },
  /** Width 1, BatchNorm, on the dataset's images (28×28×1 for 784 inputs, 32×32×3 for 3,072). */
  defaultConfig: (data) => ({ input: imageShape(data.inputShape), classes: data.classes, width: 1, norm: 'batchnorm' }),
  inferConfig: inferResnetConfig,
};

/** See `imageShapeOf` in @weightspace/layers: ResNet errors name `resnet20`. */
export function imageShape(sample: readonly number[]): [number, number, number] {
  return imageShapeOf(sample, 'resnet20');
}
