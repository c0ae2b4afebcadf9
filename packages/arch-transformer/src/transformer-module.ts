import { ContainerModule } from 'inversify';
import { ArchitectureId, bindAll, ManifestId, type PluginManifest } from '@weightspace/core';
import { gpt } from './gpt';
import { vit } from './vit';

/** What `@weightspace/arch-transformer` contributes to the registry (its manifest). */
export const archTransformerManifest: PluginManifest = {
  package: '@weightspace/arch-transformer',
  version: '0.1.0',
  description: 'ViT and GPT-style decoders: attention heads and orthogonal maps of the residual stream',
  papers: ['Theus et al. 2025, Generalized Linear Mode Connectivity for Transformers (arXiv:2506.22712)'],
  provides: { architectures: [vit.id, gpt.id] },
};

/** Registers the `vit` and `gpt` architectures. */
export const archTransformerModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [archTransformerManifest]);
  bindAll(options, ArchitectureId, [vit, gpt]);
});
