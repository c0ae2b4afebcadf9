import { ContainerModule } from 'inversify';
import { ArchitectureId, bindAll, ManifestId, type PluginManifest, VariantId } from '@weightspace/core';
import { mlp } from './mlp';
import { mlpSigmaAsymVariant } from './mlp-sigma-asym';
import { mlpWAsymVariant } from './mlp-w-asym';

/** What `@weightspace/arch-mlp` contributes to the registry (its manifest, validated at load). */
export const mlpManifest: PluginManifest = {
  package: '@weightspace/arch-mlp',
  version: '0.1.0',
  description: 'ReLU multilayer perceptrons',
  papers: [
    'Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)',
    'Lim et al. 2024, The Empirical Impact of Neural Parameter Symmetries, or Lack Thereof',
  ],
  provides: { architectures: [mlp.id], variants: [mlpWAsymVariant.id, mlpSigmaAsymVariant.id] },
};

/** Registers the `mlp` architecture and its `mlp.w-asym` and `mlp.sigma-asym` variants. */
export const mlpModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [mlpManifest]);
  bindAll(options, ArchitectureId, [mlp]);
  bindAll(options, VariantId, [mlpWAsymVariant, mlpSigmaAsymVariant]);
});
