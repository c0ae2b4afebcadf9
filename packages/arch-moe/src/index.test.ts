import { Registry } from '@weightspace/core';
import { archMoeManifest, archMoeModule } from './index';

describe('@weightspace/arch-moe module', () => {
  it('loads into a registry with a valid manifest, its architecture and its matcher', async () => {
    const registry = await Registry.fromModules([archMoeModule]);
    expect(registry.manifests).toEqual([archMoeManifest]);
    expect(registry.architectures().map((a) => a.id)).toEqual(['moe-mlp', 'vit-moe', 'gpt-moe']);
    expect(registry.matcher('moe').kinds).toEqual(['permutation']);
  });
});
