import { ContainerModule } from 'inversify';
import { BackendId, bindAll, ManifestId, type PluginManifest } from '@weightspace/core';
import { webgpuBackend } from './webgpu-backend';

/** What `@weightspace/backend-webgpu` contributes to the registry (its manifest). */
export const backendWebgpuManifest: PluginManifest = {
  package: '@weightspace/backend-webgpu',
  version: '0.1.0',
  description: 'the webgpu tensor backend (Dawn through the webgpu package)',
  papers: [],
  provides: { backends: [webgpuBackend.id] },
};

/** Registers the `webgpu` backend. */
export const backendWebgpuModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [backendWebgpuManifest]);
  bindAll(options, BackendId, [webgpuBackend]);
});
