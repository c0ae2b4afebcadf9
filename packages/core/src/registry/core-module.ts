import { ContainerModule } from 'inversify';
import { cpuBackend, tensorflowBackend } from '../backend/backend-provider';
import { fashionMnistDataset } from '../data/fashion-mnist';
import { mnistDataset } from '../data/mnist';
import { mobyDickDataset } from '../data/moby-dick';
import { blobsDataset } from '../data/synthetic';
import { activationMatchingMatcher } from '../matching/activation-matching';
import { learnedMatchingMatcher } from '../matching/learned-matching';
import { straightThroughMatcher } from '../matching/straight-through';
import { weightMatchingMatcher } from '../matching/weight-matching';
import type { PluginManifest } from '../plugin/manifest';
import { bindAll } from './registry';
import { BackendId, DatasetId, ManifestId, MatcherId } from './service-ids';

/** What `@weightspace/core` contributes to the registry (its manifest). */
export const coreManifest: PluginManifest = {
  package: '@weightspace/core',
  version: '0.1.0',
  description: 'matchers, datasets and tensor backends shared by every architecture',
  papers: [
    'Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)',
    'Theus et al. 2025, Generalized Linear Mode Connectivity for Transformers (arXiv:2506.22712)',
  ],
  provides: {
    matchers: [
      weightMatchingMatcher.id,
      activationMatchingMatcher.id,
      straightThroughMatcher.id,
      learnedMatchingMatcher.id,
    ],
    datasets: [mnistDataset.id, fashionMnistDataset.id, mobyDickDataset.id, blobsDataset.id],
    backends: [cpuBackend.id, tensorflowBackend.id],
  },
};

/** Core's plugins: the weight, activation, straight-through and learned matchers, MNIST / Fashion-MNIST / Moby-Dick / blobs, and the cpu and tensorflow backends (wasm and webgpu are packages of their own). */
export const coreModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [coreManifest]);
  bindAll(options, MatcherId, [
    weightMatchingMatcher,
    activationMatchingMatcher,
    straightThroughMatcher,
    learnedMatchingMatcher,
  ]);
  bindAll(options, DatasetId, [mnistDataset, fashionMnistDataset, mobyDickDataset, blobsDataset]);
  bindAll(options, BackendId, [cpuBackend, tensorflowBackend]);
});
