import { Registry } from '@weightspace/core';
import { archTransformerManifest, archTransformerModule } from './index';

describe('@weightspace/arch-transformer module', () => {
  it('loads into a registry with a valid manifest', async () => {
    const registry = await Registry.fromModules([archTransformerModule]);
    expect(registry.manifests).toEqual([archTransformerManifest]);
    expect(registry.architectures()).toEqual([]);
  });
});
