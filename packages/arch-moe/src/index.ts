/**
 * @weightspace/arch-moe: Mixture-of-Experts layers: dense, top-k and shared experts with expert and gating permutations
 * @packageDocumentation
 */
import { ContainerModule } from 'inversify';
import { bindAll, ManifestId, type PluginManifest } from '@weightspace/core';

/** What `@weightspace/arch-moe` contributes to the registry (its manifest). */
export const archMoeManifest: PluginManifest = {
  package: '@weightspace/arch-moe',
  version: '0.1.0',
  description: 'Mixture-of-Experts layers: dense, top-k and shared experts with expert and gating permutations',
  papers: ['Tran, Trinh, Bui & Nguyen 2025, Linear Mode Connectivity in Mixture-of-Experts'],
  provides: {},
};

/** Binds this package's plugins; it provides none yet beyond its manifest (see the README). */
export const archMoeModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [archMoeManifest]);
});
