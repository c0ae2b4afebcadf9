/**
 * @weightspace/arch-resnet: the ResNet-20 family with width multiplier and BatchNorm / LayerNorm / no normalisation
 * @packageDocumentation
 */
import { ContainerModule } from 'inversify';
import { bindAll, ManifestId, PluginManifest } from '@weightspace/core';

export const archResnetManifest: PluginManifest = {
  package: '@weightspace/arch-resnet',
  version: '0.1.0',
  description: 'the ResNet-20 family with width multiplier and BatchNorm / LayerNorm / no normalisation',
  papers: ['He et al. 2016, Deep Residual Learning', 'Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)'],
  provides: {},
};

/** Binds this package's plugins; it provides none yet beyond its manifest (see the README). */
export const archResnetModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [archResnetManifest]);
});
