import * as tf from '@tensorflow/tfjs';
import { type ArchitecturePlugin, ConfigError, type ParamShapes, type Params, Rng } from '@weightspace/core';
import { initLinear, linear, linearAxes } from '@weightspace/layers';
import { initMoeLayer, moeLayer } from './moe-layer';
import { assertMoeLayerFits, inferMoeLayer } from './moe-layer-shapes';
import { centreGate, moeLayerSymmetry } from './moe-layer-symmetry';
import { type MoeMlpConfig, moeMlpConfigSchema } from './moe-mlp-config';

/** The MoE layer's parameter prefix in `moe-mlp`. */
const MOE = 'moe';

/**
 * Tran et al.'s minimal Mixture-of-Experts network (`moe-mlp`): `layers.0` (input → width, ReLU),
 * the MoE layer `moe.*` (gate `moe.gate.weight` [experts, width] and bias, routed experts
 * `moe.experts.{k}.fc1.weight` … or stacked `moe.experts.fc1.weight` [experts, …], shared experts
 * `moe.shared_experts.{s}.*`), then `layers.1` (width → classes). Dense gating by default; top-k
 * and shared experts by config. The feature tap `moe` is the MoE layer's output.
 *
 * Symmetry: the trunk's units (`hidden.0`), the MoE layer's output units (`moe.out`), and the MoE
 * layer's own groups (`moeLayerSymmetry`). The canonical form centres the gate rows and bias.
 */
export const moeMlp: ArchitecturePlugin<MoeMlpConfig> = {
  id: 'moe-mlp',
  description: 'dense → Mixture-of-Experts layer → dense (dense or top-k gating, shared experts)',
  configSchema: moeMlpConfigSchema,
  examples: [
    { input: 6, width: 5, experts: 3, expertWidth: 4, classes: 3 },
    { input: 6, width: 5, experts: 4, expertWidth: 3, classes: 3, topK: 2 },
    { input: 5, width: 6, experts: 4, expertWidth: 3, classes: 2, topK: 2, sharedExperts: 1 },
    { input: 6, width: 5, experts: 3, expertWidth: 4, classes: 3, layout: 'stacked' },
    { input: 5, width: 4, experts: 4, expertWidth: 3, classes: 3, topK: 2, sharedExperts: 1, layout: 'stacked' },
    // Two shared experts: their order is a symmetry of its own.
    { input: 5, width: 6, experts: 3, expertWidth: 3, classes: 2, topK: 2, sharedExperts: 2 },
  ],

  init(config, seed) {
    assertMoeLayerFits('moe-mlp', config);
    const rng = new Rng(seed);
    return {
      ...initLinear(rng.fork('layers.0'), 'layers.0', config.input, config.width),
      ...initMoeLayer(rng, MOE, config.width, config),
      ...initLinear(rng.fork('layers.1'), 'layers.1', config.width, config.classes),
    };
  },

  apply(config, params, x, options = {}) {
    const flat = (x.rank === 2 ? x : x.reshape([x.shape[0], -1])) as tf.Tensor2D;
    const trunk = tf.relu(linear(params, 'layers.0', flat)) as tf.Tensor2D;
    const mixed = moeLayer(params, MOE, config, trunk);
    const features: Record<string, tf.Tensor> = !options.taps || options.taps.includes(MOE) ? { [MOE]: mixed } : {};
    return { logits: linear(params, 'layers.1', mixed), features };
  },

  symmetry(config) {
    const layer = moeLayerSymmetry(MOE, config, 'hidden.0', 'moe.out');
    return {
      groups: {
        'hidden.0': { kind: 'permutation', size: config.width },
        'moe.out': { kind: 'permutation', size: config.width },
        ...layer.groups,
      },
      axes: { ...linearAxes('layers.0', 'hidden.0', null), ...layer.axes, ...linearAxes('layers.1', null, 'moe.out') },
      ...(layer.families.length ? { families: layer.families } : {}),
    };
  },

  canonicalize(config, params) {
    const centred = centreGate(params, MOE);
    const fresh: Params = {};
    for (const [name, tensor] of Object.entries(centred))
      fresh[name] = tensor === params[name] ? tensor.clone() : tensor;
    return { config, params: fresh };
  },

  normalisation: () => [],
  inputShape: (config) => [config.input],
  /** The paper's minimal CPU setting: width 128, four experts of 64 hidden units, dense gating. */
  defaultConfig: (data) => ({
    input: data.inputShape.reduce((a, b) => a * b, 1),
    width: 128,
    experts: 4,
    expertWidth: 64,
    classes: data.classes,
  }),

  inferConfig(shapes: ParamShapes): MoeMlpConfig {
    const first = shapes['layers.0.weight'];
    const head = shapes['layers.1.weight'];
    if (!first || first.length !== 2)
      throw new ConfigError("moe-mlp: no 'layers.0.weight' [width, input] in the checkpoint");
    if (!head || head.length !== 2)
      throw new ConfigError("moe-mlp: no 'layers.1.weight' [classes, width] in the checkpoint");
    const layer = inferMoeLayer('moe-mlp', shapes, MOE, first[0]);
    return { input: first[1], width: first[0], ...layer, classes: head[0] };
  },
};
