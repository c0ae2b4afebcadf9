import { coreModule, Registry, type RegistrySource } from '@weightspace/core';
import { mlpModule } from '@weightspace/arch-mlp';
import { archTransformerModule } from '@weightspace/arch-transformer';
import { archMoeModule } from '@weightspace/arch-moe';
import { backendWasmModule } from '@weightspace/backend-wasm';
import { backendWebgpuModule } from '@weightspace/backend-webgpu';

/** The bench's plugins: core, the wasm and webgpu backends, the MLP, the transformers and the MoE models. */
export function createRegistry(): Promise<Registry> {
  return Registry.fromModules([
    coreModule,
    backendWasmModule,
    backendWebgpuModule,
    mlpModule,
    archTransformerModule,
    archMoeModule,
  ]);
}

/** How the bench's worker threads rebuild that registry. */
export const registrySource: RegistrySource = { module: __filename, exportName: 'createRegistry' };
