import type { ParamShapes, VariantPlugin } from '@weightspace/core';
import { figlu, figluMatrices, type FixedLayer, wAsymmetric, withoutSymmetry } from '@weightspace/reduced-symmetry';
import { convUnits, type ResnetConfig, resnetConfigSchema } from './resnet-config';
import { resnetForward } from './resnet';

/** A ResNet with fixed entries in every convolution and the classifier (W-asymmetric). */
export interface ResnetWAsymConfig extends ResnetConfig {
  wAsym?: {
    /** Seed of every mask and fixed value (default 0): shared by all models to be compared. */
    seed?: number;
    /** Fixed entries per output channel (of its in·k·k) for every layer; the defaults when omitted. */
    nFix?: Record<string, number>;
    /** Scale κ of the fixed Gaussian values, for every layer (default 3). */
    kappa?: number;
  };
}

/**
 * Lim et al. 2024's ResNet-20 setting: κ = 3; n_fix 12 in the stem, 36 / 54 / 72 in the block
 * convolutions of stages 1 / 2 / 3, 4 / 6 / 8 in the projection shortcuts (stages 2 / 3 here:
 * stage 1 has none), 8 in the classifier. Defaults are capped at half the layer's fan-in (a
 * one-channel stem has 9 entries per filter).
 */
export function resnetWAsymLayers(config: ResnetWAsymConfig): FixedLayer[] {
  const kappa = config.wAsym?.kappa ?? 3;
  const byStage = (name: string, perStage: number[]) => perStage[Number(/^layer(\d)/.exec(name)?.[1] ?? 1) - 1];
  const layers = convUnits(config).map((unit) => {
    const fanIn = unit.in * unit.kernel * unit.kernel;
    const card =
      unit.conv === 'conv1' ? 12 : unit.kernel === 1 ? byStage(unit.conv, [4, 6, 8]) : byStage(unit.conv, [36, 54, 72]);
    const explicit = config.wAsym?.nFix?.[unit.conv];
    return {
      param: `${unit.conv}.weight`,
      nFix: explicit !== undefined ? Math.min(explicit, fanIn) : Math.min(card, Math.floor(fanIn / 2)),
      kappa,
    };
  });
  const features = 64 * config.width;
  const fc = config.wAsym?.nFix?.fc;
  return [
    ...layers,
    {
      param: 'fc.weight',
      nFix: fc !== undefined ? Math.min(fc, features) : Math.min(8, Math.floor(features / 2)),
      kappa,
    },
  ];
}

const wAsymSchema = {
  ...resnetConfigSchema,
  $id: 'weightspace/arch-resnet/w-asym-config',
  properties: {
    ...resnetConfigSchema.properties,
    wAsym: {
      type: 'object',
      additionalProperties: false,
      properties: {
        seed: { type: 'integer', minimum: 0 },
        nFix: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
        kappa: { type: 'number', minimum: 0 },
      },
    },
  },
};

const smallExamples: ResnetConfig[] = [
  { input: [8, 8, 1], classes: 3, width: 1, norm: 'batchnorm', depth: 8 },
  { input: [6, 6, 2], classes: 2, width: 1, norm: 'layernorm', depth: 8 },
];

/**
 * The W-asymmetric ResNet (Lim et al. 2024): fixed random entries in every convolution remove the
 * channel permutations.
 */
export const resnetWAsymVariant: VariantPlugin<ResnetConfig, ResnetWAsymConfig> = {
  id: 'resnet20.w-asym',
  base: 'resnet20',
  description: 'W-asymmetric ResNet (Lim et al. 2024): fixed entries κ·N(0,1) in every filter and in the classifier',
  derive: (base) =>
    wAsymmetric<ResnetConfig, ResnetWAsymConfig>(base, {
      id: 'resnet20.w-asym',
      description: 'W-asymmetric ResNet-20: fixed random entries per filter break every channel permutation',
      configSchema: wAsymSchema,
      examples: [...smallExamples, { ...smallExamples[0], wAsym: { seed: 2, kappa: 1, nFix: { conv1: 3 } } }],
      seed: (config) => config.wAsym?.seed ?? 0,
      layers: resnetWAsymLayers,
      defaultConfig: (data) => base.defaultConfig(data),
      inferConfig: (shapes: ParamShapes) => base.inferConfig(shapes),
    }),
};

/** A ResNet whose activations are FiGLU, sigmoid(F x) ⊙ x over channels with a fixed random F per activation. */
export interface ResnetSigmaAsymConfig extends ResnetConfig {
  /** Seed of the fixed F matrices (default 0): shared by all models to be compared. */
  figluSeed?: number;
}

/**
 * σ-asymmetric ResNet (Lim et al. 2024): every ReLU becomes FiGLU (a 1×1 convolution gating each
 * channel by a fixed mixture of all of them), which commutes with no channel permutation, so the
 * spec keeps no group. The F matrices come from the config's seed; checkpoints store only the
 * ResNet's parameters. LLFC and LEWC assume ReLU, so this variant offers no feature graph.
 */
export const resnetSigmaAsymVariant: VariantPlugin<ResnetConfig, ResnetSigmaAsymConfig> = {
  id: 'resnet20.sigma-asym',
  base: 'resnet20',
  description: 'σ-asymmetric ResNet (Lim et al. 2024): FiGLU over channels with fixed random F',
  derive: (base) => {
    const matrices = figluMatrices();
    return {
      ...base,
      id: 'resnet20.sigma-asym',
      description: 'σ-asymmetric ResNet-20: FiGLU activations with fixed random matrices',
      configSchema: {
        ...resnetConfigSchema,
        $id: 'weightspace/arch-resnet/sigma-asym-config',
        properties: { ...resnetConfigSchema.properties, figluSeed: { type: 'integer', minimum: 0 } },
      },
      examples: [...smallExamples, { ...smallExamples[0], figluSeed: 3 }],
      apply: (config: ResnetSigmaAsymConfig, params, x, options = {}) =>
        resnetForward(
          config,
          params,
          x,
          options,
          (z, tap) => figlu(z, matrices.get(tap, z.shape[3], config.figluSeed ?? 0)) as typeof z,
        ),
      symmetry: (config: ResnetSigmaAsymConfig) => withoutSymmetry(base.symmetry(config)),
      featureGraph: undefined,
      defaultConfig: (data) => base.defaultConfig(data),
      inferConfig: (shapes: ParamShapes) => base.inferConfig(shapes),
      dispose: () => matrices.dispose(),
    };
  },
};
