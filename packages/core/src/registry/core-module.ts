import { ContainerModule } from 'inversify';
import { cpuBackend, tensorflowBackend } from '../backend/backend-provider';
import { fashionMnistDataset } from '../data/fashion-mnist';
import { mnistDataset } from '../data/mnist';
import { blobsDataset } from '../data/synthetic';
import { activationMatchingMatcher } from '../matching/activation-matching';
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
  papers: ['Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)'],
  provides: {
    matchers: [weightMatchingMatcher.id, activationMatchingMatcher.id, straightThroughMatcher.id],
    datasets: [mnistDataset.id, fashionMnistDataset.id, blobsDataset.id],
    backends: [cpuBackend.id, tensorflowBackend.id],
  },
};

/** Core's plugins: the weight, activation and straight-through matchers, MNIST / Fashion-MNIST / blobs, and the cpu and tensorflow backends (wasm and webgpu are packages of their own). */
export const coreModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [coreManifest]);
  bindAll(options, MatcherId, [weightMatchingMatcher, activationMatchingMatcher, straightThroughMatcher]);
  bindAll(options, DatasetId, [mnistDataset, fashionMnistDataset, blobsDataset]);
  bindAll(options, BackendId, [cpuBackend, tensorflowBackend]);
});
