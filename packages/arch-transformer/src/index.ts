/**
 * @weightspace/arch-transformer: ViT and GPT-style decoders: attention heads and orthogonal maps of the residual stream
 * @packageDocumentation
 */
import { ContainerModule } from 'inversify';
import { bindAll, ManifestId, type PluginManifest } from '@weightspace/core';

/** What `@weightspace/arch-transformer` contributes to the registry (its manifest). */
export const archTransformerManifest: PluginManifest = {
  package: '@weightspace/arch-transformer',
  version: '0.1.0',
  description: 'ViT and GPT-style decoders: attention heads and orthogonal maps of the residual stream',
  papers: ['Theus et al. 2025, Generalized Linear Mode Connectivity for Transformers'],
  provides: {},
};

/** Binds this package's plugins; it provides none yet beyond its manifest (see the README). */
export const archTransformerModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [archTransformerManifest]);
});
