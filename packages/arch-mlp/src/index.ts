/**
 * @weightspace/arch-mlp: ReLU multilayer perceptrons in PyTorch's `nn.Linear` layout.
 * @packageDocumentation
 */
export { mlp, mlpForward } from './mlp';
export { MlpConfig, mlpConfigSchema, layerWidths } from './mlp-config';
export { mlpSymmetry } from './mlp-symmetry';
export { mlpModule, mlpManifest } from './mlp-module';
export { mlpWAsymVariant, MlpWAsymConfig, wAsymDefaults } from './mlp-w-asym';
export { mlpSigmaAsymVariant, MlpSigmaAsymConfig } from './mlp-sigma-asym';
