/**
 * @weightspace/reduced-symmetry: building blocks that remove parameter symmetries by construction (W-asymmetric masks, FiGLU)
 * @packageDocumentation
 */
import { ContainerModule } from 'inversify';

export { fixedEntries, FixedEntries } from './fixed-entries';
export { effectiveWeight } from './asymmetric-weight';
export { figlu, figluMatrix, figluMatrices, type FigluMatrixCache, withoutSymmetry } from './figlu';
export { wAsymmetric, WAsymmetricOptions, FixedLayer } from './w-asymmetric';
import { bindAll, ManifestId, type PluginManifest } from '@weightspace/core';

/** What `@weightspace/reduced-symmetry` contributes to the registry (its manifest). */
export const reducedSymmetryManifest: PluginManifest = {
  package: '@weightspace/reduced-symmetry',
  version: '0.1.0',
  description: 'building blocks that remove parameter symmetries by construction (W-asymmetric masks, FiGLU)',
  papers: ['Lim et al. 2024, The Empirical Impact of Neural Parameter Symmetries, or Lack Thereof'],
  provides: {},
};

/** Binds this package's plugins: none beyond its manifest; architectures use its blocks for variants. */
export const reducedSymmetryModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [reducedSymmetryManifest]);
});
