import { archMoeModule } from '@weightspace/arch-moe';
import { mlpModule } from '@weightspace/arch-mlp';
import { archResnetModule } from '@weightspace/arch-resnet';
import { archTransformerModule } from '@weightspace/arch-transformer';
import { backendWasmModule } from '@weightspace/backend-wasm';
import { backendWebgpuModule } from '@weightspace/backend-webgpu';
import { coreModule, Registry, type RegistrySource } from '@weightspace/core';
import { reducedSymmetryModule } from '@weightspace/reduced-symmetry';

/** Every package's ContainerModule, loaded explicitly: adding a package means adding it here. */
export const allModules = [
  coreModule,
  backendWasmModule,
  backendWebgpuModule,
  reducedSymmetryModule,
  mlpModule,
  archResnetModule,
  archTransformerModule,
  archMoeModule,
];

/** How a worker thread rebuilds this registry (see `RegistrySource`). */
export const registrySource: RegistrySource = { module: __filename, exportName: 'createRegistry' };

/**
 * The registry of every package the CLI composes (core, backends, architectures, reduced-symmetry
 * variants).
 */
export function createRegistry(): Promise<Registry> {
  return Registry.fromModules(allModules);
}

export function createRegistrySync(): Registry {
  return Registry.fromModulesSync(allModules);
}
