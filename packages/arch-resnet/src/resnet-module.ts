import { ContainerModule } from 'inversify';
import { ArchitectureId, bindAll, ManifestId, type PluginManifest, VariantId } from '@weightspace/core';
import { resnetSigmaAsymVariant, resnetWAsymVariant } from './resnet-asym';
import { resnet20 } from './resnet';

/** What `@weightspace/arch-resnet` contributes to the registry (its manifest). */
export const archResnetManifest: PluginManifest = {
  package: '@weightspace/arch-resnet',
  version: '0.1.0',
  description: 'the ResNet-20 family with width multiplier and BatchNorm / LayerNorm / no normalisation',
  papers: [
    'He et al. 2016, Deep Residual Learning',
    'Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)',
    'Jordan et al. 2023, REPAIR (arXiv:2211.08403)',
    'Lim et al. 2024, The Empirical Impact of Neural Parameter Symmetries, or Lack Thereof',
  ],
  provides: { architectures: [resnet20.id], variants: [resnetWAsymVariant.id, resnetSigmaAsymVariant.id] },
};

/** Registers the `resnet20` architecture and its `resnet20.w-asym` and `resnet20.sigma-asym` variants. */
export const archResnetModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [archResnetManifest]);
  bindAll(options, ArchitectureId, [resnet20]);
  bindAll(options, VariantId, [resnetWAsymVariant, resnetSigmaAsymVariant]);
});
