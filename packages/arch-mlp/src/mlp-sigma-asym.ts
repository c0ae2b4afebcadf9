import type * as tf from '@tensorflow/tfjs';
import type { ArchitecturePlugin, ParamShapes, VariantPlugin } from '@weightspace/core';
import { figlu, figluMatrices, withoutSymmetry } from '@weightspace/reduced-symmetry';
import { type MlpConfig, mlpConfigSchema } from './mlp-config';
import { mlpAffineStem, mlpForward } from './mlp';

/** An MLP whose hidden nonlinearity is FiGLU, sigmoid(F x) ⊙ x with a fixed random F per layer. */
export interface MlpSigmaAsymConfig extends MlpConfig {
  /** Seed of the fixed F matrices (default 0): shared by all models to be compared. */
  figluSeed?: number;
}

const schema = {
  ...mlpConfigSchema,
  $id: 'weightspace/arch-mlp/sigma-asym-config',
  properties: { ...mlpConfigSchema.properties, figluSeed: { type: 'integer', minimum: 0 } },
};

/**
 * σ-asymmetric MLP (Lim et al. 2024): FiGLU is not elementwise, so no permutation of hidden units
 * commutes with it and the spec keeps no group. The F matrices are rebuilt from the config's seed
 * (cached per derived plugin); the stored parameters are the MLP's.
 */
function mlpSigmaAsym(base: ArchitecturePlugin<MlpConfig>): ArchitecturePlugin<MlpSigmaAsymConfig> {
  const matrices = figluMatrices();
  const matrixFor = (config: MlpSigmaAsymConfig, layer: number): tf.Tensor2D =>
    matrices.get(`layers.${layer}`, config.hidden[layer], config.figluSeed ?? 0);
  const activationOf = (config: MlpSigmaAsymConfig) => (z: tf.Tensor, layer: number) =>
    figlu(z, matrixFor(config, layer));
  return {
    ...base,
    id: 'mlp.sigma-asym',
    description: 'σ-asymmetric MLP: FiGLU nonlinearity with fixed random matrices',
    configSchema: schema,
    examples: [
      { input: 6, hidden: [8, 7], classes: 3, figluSeed: 1 },
      { input: 784, hidden: [32, 32], classes: 10 },
    ],
    apply: (config: MlpSigmaAsymConfig, params, x, options = {}) =>
      mlpForward(config, params, x, options, activationOf(config)),
    // The stem is the MLP's first dense layer; FiGLU follows it.
    affineStem: mlpAffineStem(activationOf),
    symmetry: (config: MlpSigmaAsymConfig) => withoutSymmetry(base.symmetry(config)),
    // LLFC's weak additivity and LEWC assume ReLU: no feature graph for FiGLU.
    featureGraph: undefined,
    defaultConfig: (data) => base.defaultConfig(data),
    inferConfig: (shapes: ParamShapes) => base.inferConfig(shapes),
    dispose: () => matrices.dispose(),
  };
}

/**
 * The σ-asymmetric MLP (Lim et al. 2024): FiGLU activations in place of ReLU remove the hidden
 * permutation symmetry.
 */
export const mlpSigmaAsymVariant: VariantPlugin<MlpConfig, MlpSigmaAsymConfig> = {
  id: 'mlp.sigma-asym',
  base: 'mlp',
  description: 'σ-asymmetric MLP (Lim et al. 2024): FiGLU sigmoid(Fx)⊙x with fixed random F',
  derive: mlpSigmaAsym,
};
