import * as tf from '@tensorflow/tfjs';
import {
  type AffineStem,
  type ApplyOptions,
  type ApplyResult,
  type ArchitecturePlugin,
  ConfigError,
  type ParamShapes,
  type Params,
  Rng,
} from '@weightspace/core';
import { initLinear, initNorm, layerNorm, linear } from '@weightspace/layers';
import { hasBias, layerWidths, type MlpConfig, mlpConfigSchema } from './mlp-config';
import { mlpSymmetry } from './mlp-symmetry';

/**
 * The MLP's forward pass with a given nonlinearity (`activation(z, layer)` for hidden layer
 * `layer`): ReLU for `mlp`, FiGLU for its σ-asymmetric variant. Taps `layers.{i}.pre` and
 * `layers.{i}` for every hidden layer. With `stemOutput`, the first layer's output is given
 * (`mlpStem`) and `x` is not read.
 */
export function mlpForward(
  config: MlpConfig,
  params: Params,
  x: tf.Tensor,
  options: ApplyOptions,
  activation: (z: tf.Tensor, layer: number) => tf.Tensor,
  stemOutput?: tf.Tensor,
): ApplyResult {
  const layers = config.hidden.length + 1;
  const features: Record<string, tf.Tensor> = {};
  let h = x;
  for (let i = 0; i < layers; i++) {
    const y = i === 0 ? (stemOutput ?? mlpStem(config, params, x)) : linear(params, `layers.${i}`, h);
    if (i === layers - 1) return { logits: y, features };
    const z = config.layerNorm ? layerNorm(params, `norms.${i}`, y) : y;
    h = activation(z, i);
    const wanted = (tap: string) => !options.taps || options.taps.includes(tap);
    if (wanted(`layers.${i}.pre`)) features[`layers.${i}.pre`] = z;
    if (wanted(`layers.${i}`)) features[`layers.${i}`] = h;
  }
  throw new Error('unreachable: an MLP has an output layer');
}

/** The first dense layer with its bias: affine in its parameters. */
export function mlpStem(_config: MlpConfig, params: Params, x: tf.Tensor): tf.Tensor {
  return linear(params, 'layers.0', x.rank === 2 ? x : x.reshape([x.shape[0], -1]));
}

/**
 * The MLP's `AffineStem` for the nonlinearity a config uses (see `mlpForward`): the first dense
 * layer, then the rest of the forward pass.
 */
export function mlpAffineStem<C extends MlpConfig>(
  activationOf: (config: C) => (z: tf.Tensor, layer: number) => tf.Tensor,
): AffineStem<C> {
  return {
    stem: mlpStem,
    rest: (config, params, z) => mlpForward(config, params, z, { taps: [] }, activationOf(config), z).logits,
  };
}

/**
 * A ReLU MLP with parameters named exactly as a PyTorch `nn.ModuleList` of `nn.Linear` saves them:
 * `layers.{i}.weight` of shape [out, in] and `layers.{i}.bias` of shape [out], so a PyTorch
 * checkpoint (via safetensors) loads as is. Initialisation follows PyTorch's default for Linear:
 * weights and biases uniform in ±1/√fan_in.
 *
 * Feature taps: `layers.{i}.pre` (the activation's input: the linear output, or with
 * `layerNorm` its normalised form) and `layers.{i}` (after the ReLU) for every hidden layer. With
 * `bias: false` the layers have no bias parameters; with `layerNorm`, `norms.{i}.weight` and
 * `norms.{i}.bias` (initialised to 1 and 0) follow each hidden linear layer.
 */
export const mlp: ArchitecturePlugin<MlpConfig> = {
  id: 'mlp',
  description: 'ReLU multilayer perceptron (PyTorch nn.Linear layout)',
  configSchema: mlpConfigSchema,
  examples: [
    { input: 6, hidden: [8, 7], classes: 3 },
    { input: 5, hidden: [9], classes: 4 },
    { input: 784, hidden: [32, 32, 32], classes: 10 },
    { input: 7, hidden: [6, 5], classes: 3, bias: false },
    { input: 5, hidden: [6, 4], classes: 3, layerNorm: true },
  ],

  init(config, seed) {
    const widths = layerWidths(config);
    const params: Params = {};
    for (let i = 0; i + 1 < widths.length; i++) {
      Object.assign(
        params,
        initLinear(new Rng(seed).fork(`layers.${i}`), `layers.${i}`, widths[i], widths[i + 1], hasBias(config)),
      );
      if (config.layerNorm && i + 2 < widths.length) Object.assign(params, initNorm(`norms.${i}`, widths[i + 1]));
    }
    return params;
  },

  apply(config, params, x, options = {}) {
    return mlpForward(config, params, x, options, tf.relu);
  },

  affineStem: mlpAffineStem(() => tf.relu),

  symmetry: mlpSymmetry,

  featureGraph(config) {
    const layers = config.hidden.length + 1;
    const affine = config.layerNorm
      ? config.hidden.map((_, i) => ({
          tap: `layers.${i}.pre`,
          scale: [`norms.${i}.weight`],
          shift: `norms.${i}.bias`,
        }))
      : hasBias(config)
        ? config.hidden.map((_, i) => ({
            tap: `layers.${i}.pre`,
            scale: [`layers.${i}.weight`],
            shift: `layers.${i}.bias`,
          }))
        : [];
    return {
      // With LayerNorm a hidden tap is no longer the linear map of the tap before it: only the output layer's is.
      linear: Array.from({ length: layers }, (_, i) => ({
        weight: `layers.${i}.weight`,
        input: i === 0 ? null : `layers.${i - 1}`,
        output: i === layers - 1 ? 'logits' : `layers.${i}.pre`,
      })).filter((_, i) => !config.layerNorm || i === layers - 1),
      relu: config.hidden.map((_, i) => ({ preActivation: `layers.${i}.pre`, activation: `layers.${i}` })),
      units: Object.fromEntries(config.hidden.map((_, i) => [`hidden.${i}`, [`layers.${i}`]])),
      affine,
    };
  },
  normalisation: () => [],
  inputShape: (config) => [config.input],
  /** Git Re-Basin's MNIST setting: three hidden layers of 512. */
  defaultConfig: (data) => ({
    input: data.inputShape.reduce((a, b) => a * b, 1),
    hidden: [512, 512, 512],
    classes: data.classes,
  }),

  inferConfig(shapes: ParamShapes): MlpConfig {
    const widths: number[] = [];
    let i = 0;
    const bias = 'layers.0.bias' in shapes;
    for (; `layers.${i}.weight` in shapes; i++) {
      const w = shapes[`layers.${i}.weight`];
      const b = shapes[`layers.${i}.bias`];
      if (w.length !== 2)
        throw new ConfigError(`mlp: 'layers.${i}.weight' has shape [${w.join(', ')}], expected [out, in]`);
      if (bias && (!b || b.length !== 1 || b[0] !== w[0]))
        throw new ConfigError(`mlp: 'layers.${i}.bias' should have shape [${w[0]}] to match 'layers.${i}.weight'`);
      if (i === 0) widths.push(w[1]);
      else if (w[1] !== widths[i])
        throw new ConfigError(`mlp: 'layers.${i}.weight' takes ${w[1]} inputs but layer ${i - 1} gives ${widths[i]}`);
      widths.push(w[0]);
    }
    if (i === 0) throw new ConfigError("mlp: no 'layers.0.weight' in the checkpoint: not an MLP state dict");
    const layerNorm = 'norms.0.weight' in shapes;
    const norms = (k: number) => (layerNorm && k < i - 1 ? [`norms.${k}.weight`, `norms.${k}.bias`] : []);
    const known = new Set(
      Array.from({ length: i }, (_, k) => [
        `layers.${k}.weight`,
        ...(bias ? [`layers.${k}.bias`] : []),
        ...norms(k),
      ]).flat(),
    );
    const missing = [...known].find((name) => !(name in shapes));
    if (missing)
      throw new ConfigError(`mlp: '${missing}' is missing (the checkpoint has LayerNorm parameters for layer 0)`);
    const extra = Object.keys(shapes).find((name) => !known.has(name));
    if (extra)
      throw new ConfigError(
        `mlp: unexpected parameter '${extra}' in the checkpoint${bias ? '' : ' (layers.0 has no bias, so no layer may)'}`,
      );
    const config: MlpConfig = { input: widths[0], hidden: widths.slice(1, -1), classes: widths[widths.length - 1] };
    return { ...config, ...(bias ? {} : { bias: false }), ...(layerNorm ? { layerNorm: true } : {}) };
  },
};
