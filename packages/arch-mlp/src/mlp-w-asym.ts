import type { ArchitecturePlugin, ParamShapes, VariantPlugin } from '@weightspace/core';
import { wAsymmetric } from '@weightspace/reduced-symmetry';
import { layerWidths, type MlpConfig, mlpConfigSchema } from './mlp-config';

/** An MLP with fixed entries in every layer (Lim et al. 2024's W-asymmetric network). */
export interface MlpWAsymConfig extends MlpConfig {
  wAsym?: {
    /** Seed of every mask and fixed value (default 0): shared by all models to be compared. */
    seed?: number;
    /** Fixed entries per output row, per layer; capped at the layer's fan-in. */
    nFix?: number[];
    /** Scale of the fixed Gaussian values, per layer. */
    kappa?: number[];
  };
}

/**
 * The card's MNIST setting generalised to any depth: 64 fixed entries per row with κ = 1 in the
 * hidden layers (κ = 0.5 in the last hidden layer of a net with at least two), and 256 with
 * κ = 0.25 in the output layer. Defaults are capped at half the layer's fan-in (the card fixes
 * 256 of 512 in the output layer), explicit values at the whole fan-in.
 */
export function wAsymDefaults(config: MlpConfig): { nFix: number[]; kappa: number[] } {
  const layers = config.hidden.length + 1;
  const nFix = Array.from({ length: layers }, (_, i) => (i === layers - 1 ? 256 : 64));
  const kappa = Array.from({ length: layers }, (_, i) =>
    i === layers - 1 ? 0.25 : i === layers - 2 && layers > 2 ? 0.5 : 1,
  );
  return { nFix, kappa };
}

const schema = {
  ...mlpConfigSchema,
  $id: 'weightspace/arch-mlp/w-asym-config',
  properties: {
    ...mlpConfigSchema.properties,
    wAsym: {
      type: 'object',
      additionalProperties: false,
      properties: {
        seed: { type: 'integer', minimum: 0 },
        nFix: { type: 'array', items: { type: 'integer', minimum: 0 } },
        kappa: { type: 'array', items: { type: 'number', minimum: 0 } },
      },
    },
  },
};

function mlpWAsym(base: ArchitecturePlugin<MlpConfig>): ArchitecturePlugin<MlpWAsymConfig> {
  return wAsymmetric<MlpConfig, MlpWAsymConfig>(base, {
    id: 'mlp.w-asym',
    description: 'W-asymmetric MLP: fixed random entries per row break the hidden-unit permutations',
    configSchema: schema,
    examples: [
      { input: 6, hidden: [8, 7], classes: 3, wAsym: { seed: 1, nFix: [2, 3, 2] } },
      { input: 784, hidden: [32, 32], classes: 10 },
    ],
    seed: (config) => config.wAsym?.seed ?? 0,
    layers(config) {
      const defaults = wAsymDefaults(config);
      const widths = layerWidths(config);
      return widths.slice(0, -1).map((fanIn, i) => ({
        param: `layers.${i}.weight`,
        nFix:
          config.wAsym?.nFix?.[i] !== undefined
            ? Math.min(fanIn, config.wAsym.nFix[i])
            : Math.min(Math.floor(fanIn / 2), defaults.nFix[i]),
        kappa: config.wAsym?.kappa?.[i] ?? defaults.kappa[i],
      }));
    },
    defaultConfig: (data) => base.defaultConfig(data),
    inferConfig: (shapes: ParamShapes) => base.inferConfig(shapes),
  });
}

/**
 * The W-asymmetric MLP (Lim et al. 2024): a fixed random entries mask per row removes the hidden
 * permutation symmetry.
 */
export const mlpWAsymVariant: VariantPlugin<MlpConfig, MlpWAsymConfig> = {
  id: 'mlp.w-asym',
  base: 'mlp',
  description: 'W-asymmetric MLP (Lim et al. 2024): n_fix fixed entries per row at κ·N(0,1)',
  derive: mlpWAsym,
};
