import { Registry } from '@weightspace/core';
import { reducedSymmetryManifest, reducedSymmetryModule } from './index';

describe('@weightspace/reduced-symmetry module', () => {
  it('loads into a registry with a valid manifest', async () => {
    const registry = await Registry.fromModules([reducedSymmetryModule]);
    expect(registry.manifests).toEqual([reducedSymmetryManifest]);
    expect(registry.architectures()).toEqual([]);
  });
});
