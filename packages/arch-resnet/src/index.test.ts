import { Registry } from '@weightspace/core';
import { archResnetManifest, archResnetModule } from './index';

describe('@weightspace/arch-resnet module', () => {
  it('loads into a registry with a valid manifest', async () => {
    const registry = await Registry.fromModules([archResnetModule]);
    expect(registry.manifests).toEqual([archResnetManifest]);
    expect(registry.architectures()).toEqual([]);
  });
});
