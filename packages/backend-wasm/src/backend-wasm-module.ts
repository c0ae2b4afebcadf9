import { ContainerModule } from 'inversify';
import { BackendId, bindAll, ManifestId, type PluginManifest } from '@weightspace/core';
import { wasmBackend } from './wasm-backend';

/** What `@weightspace/backend-wasm` contributes to the registry (its manifest). */
export const backendWasmManifest: PluginManifest = {
  package: '@weightspace/backend-wasm',
  version: '0.1.0',
  description: 'the wasm tensor backend with weightspace’s own kernels (GEMM, gather, sums, Adam)',
  papers: [],
  provides: { backends: [wasmBackend.id] },
};

/** Registers the `wasm` backend. */
export const backendWasmModule = new ContainerModule((options) => {
  bindAll(options, ManifestId, [backendWasmManifest]);
  bindAll(options, BackendId, [wasmBackend]);
});
