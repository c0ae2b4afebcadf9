/**
 * @weightspace/reduced-symmetry: building blocks that remove parameter symmetries by construction (W-asymmetric masks, FiGLU)
 * @packageDocumentation
 */
import { ContainerModule } from 'inversify';
import { bindAll, ManifestId, PluginManifest } from '@weightspace/core';

export const reducedSymmetryManifest: PluginManifest = {
  package: '@weightspace/reduced-symmetry',
  version: '0.1.0',
  description: 'building blocks that remove parameter symmetries by construction (W-asymmetric masks, FiGLU)',
  papers: ['Lim et al. 2024, The Empirical Impact of Neural Parameter Symmetries, or Lack Thereof'],
  provides: {},
};

/** Binds this package's plugins; it provides none yet beyond its manifest (see the README). */
export const reducedSymmetryModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [reducedSymmetryManifest]);
});
