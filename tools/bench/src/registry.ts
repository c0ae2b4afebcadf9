import { coreModule, Registry, type RegistrySource } from '@weightspace/core';
import { mlpModule } from '@weightspace/arch-mlp';
import { archTransformerModule } from '@weightspace/arch-transformer';
import { backendWasmModule } from '@weightspace/backend-wasm';
import { backendWebgpuModule } from '@weightspace/backend-webgpu';

/** The bench's plugins: core, the wasm and webgpu backends, the MLP and the transformers. */
export function createRegistry(): Promise<Registry> {
  return Registry.fromModules([coreModule, backendWasmModule, backendWebgpuModule, mlpModule, archTransformerModule]);
}

/** How the bench's worker threads rebuild that registry. */
export const registrySource: RegistrySource = { module: __filename, exportName: 'createRegistry' };
