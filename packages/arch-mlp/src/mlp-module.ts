import { ContainerModule } from 'inversify';
import { ArchitectureId, bindAll, ManifestId, PluginManifest } from '@weightspace/core';
import { mlp } from './mlp';

export const mlpManifest: PluginManifest = {
  package: '@weightspace/arch-mlp',
  version: '0.1.0',
  description: 'ReLU multilayer perceptrons',
  papers: ['Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)'],
  provides: { architectures: [mlp.id] },
};

/** Registers the `mlp` architecture. */
export const mlpModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [mlpManifest]);
  bindAll(options, ArchitectureId, [mlp]);
});
