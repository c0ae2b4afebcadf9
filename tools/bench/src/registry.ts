import { coreModule, Registry, type RegistrySource } from '@weightspace/core';
import { mlpModule } from '@weightspace/arch-mlp';

/** The bench's plugins: core and the MLP. */
export function createRegistry(): Promise<Registry> {
  return Registry.fromModules([coreModule, mlpModule]);
}

/** How the bench's worker threads rebuild that registry. */
export const registrySource: RegistrySource = { module: __filename, exportName: 'createRegistry' };
