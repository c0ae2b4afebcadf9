/**
 * @weightspace/arch-moe: Mixture-of-Experts layers (dense, top-k and shared experts) with the expert
 * and gating permutations of Tran et al. 2025, and their two-stage matcher.
 * @packageDocumentation
 */
import { ContainerModule } from 'inversify';
import { ArchitectureId, bindAll, ManifestId, MatcherId, type PluginManifest } from '@weightspace/core';
import { expertMatchingMatcher } from './expert-matching';
import { moeMlp } from './moe-mlp';
import { gptMoe } from './gpt-moe';
import { vitMoe } from './vit-moe';

export { BRUTE_FORCE_MAX_EXPERTS, bruteForceExpertOrders, type BruteForceResult, permutations } from './brute-force';
export { expertMatchingMatcher, expertGroups, expertElement, hiddenOrders, pairHiddenOrders } from './expert-matching';
export { gateCost, gramCost, hiddenSimilarity, type ExpertTensors } from './expert-costs';
export { gateWeights, initMoeLayer, moeLayer, topKMask } from './moe-layer';
export { type MoeLayerConfig } from './moe-layer-config';
export { centreGate, moeLayerSymmetry } from './moe-layer-symmetry';
export { moeMlp } from './moe-mlp';
export { vitMoe, type VitMoeConfig, vitMoeConfigSchema } from './vit-moe';
export { gptMoe, type GptMoeConfig, gptMoeConfigSchema } from './gpt-moe';
export { moeFeedForward } from './moe-feed-forward';
export { MOE_PLACEMENTS, moeBlocksFrom, type MoeTransformerFields } from './moe-blocks';
export { type MoeMlpConfig, moeMlpConfigSchema } from './moe-mlp-config';

/** What `@weightspace/arch-moe` contributes to the registry (its manifest). */
export const archMoeManifest: PluginManifest = {
  package: '@weightspace/arch-moe',
  version: '0.1.0',
  description: 'Mixture-of-Experts layers: dense, top-k and shared experts with expert and gating permutations',
  papers: ['Tran, Trinh, Bui & Nguyen 2025, On Linear Mode Connectivity of Mixture-of-Experts Architectures'],
  provides: { architectures: [moeMlp.id, vitMoe.id, gptMoe.id], matchers: [expertMatchingMatcher.id] },
};

/** Registers the `moe-mlp`, `vit-moe` and `gpt-moe` architectures and the two-stage `moe` matcher. */
export const archMoeModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [archMoeManifest]);
  bindAll(options, ArchitectureId, [moeMlp, vitMoe, gptMoe]);
  bindAll(options, MatcherId, [expertMatchingMatcher]);
});
