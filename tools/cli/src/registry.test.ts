import * as tf from '@tensorflow/tfjs';
import { ArchitectureId, bindAll, ManifestId, Registry } from '@weightspace/core';
import { mlp } from '@weightspace/arch-mlp';
import { ContainerModule } from 'inversify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allModules, createRegistry } from './modules';

describe('registry over the CLI modules', () => {
  it('lists one manifest per package and resolves ids', async () => {
    const registry = await createRegistry();
    // Every workspace package the CLI depends on that exports a ContainerModule must be loaded,
    // with exactly one manifest naming it.
    const dependencies = Object.keys(
      (
        JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
          dependencies: Record<string, string>;
        }
      ).dependencies,
    ).filter((name) => name.startsWith('@weightspace/'));
    const withModules = dependencies.filter((name) =>
      Object.values(require(name) as Record<string, unknown>).some((value) => value instanceof ContainerModule),
    );
    expect(withModules).toEqual(expect.arrayContaining(['@weightspace/core', '@weightspace/arch-mlp']));
    expect(registry.manifests.map((m) => m.package).sort()).toEqual(withModules.sort());
    expect(registry.architecture('mlp')).toBe(mlp);
    expect(registry.matcher('weight').kinds).toContain('permutation');
    expect(registry.dataset('mnist').id).toBe('mnist');
    expect(registry.backend('wasm').id).toBe('wasm');
  });

  it('manifests list exactly what their modules register', async () => {
    const registry = await createRegistry();
    const declared = registry.manifests.flatMap((m) => m.provides.architectures ?? []);
    expect(declared.sort()).toEqual(
      registry
        .architectures()
        .map((a) => a.id)
        .sort(),
    );
    const matchers = registry.manifests.flatMap((m) => m.provides.matchers ?? []);
    expect(matchers.sort()).toEqual(
      registry
        .matchers()
        .map((m) => m.id)
        .sort(),
    );
  });

  it('throws on a duplicate id, naming it', async () => {
    const again = new ContainerModule((options) => bindAll(options, ArchitectureId, [mlp]));
    await expect(Registry.fromModules([...allModules, again])).rejects.toThrow(
      "architecture id 'mlp' is registered twice",
    );
  });

  it('rejects a manifest that fails its schema', async () => {
    const bad = new ContainerModule((options) =>
      bindAll(options, ManifestId, [{ package: 'Bad Name', version: 'x', description: '', papers: [], provides: {} }]),
    );
    await expect(Registry.fromModules([bad])).rejects.toThrow(
      /manifest of Bad Name: \/package must match pattern.*\/version must match pattern/,
    );
  });

  it('names the registered ids when one is unknown', async () => {
    const registry = await createRegistry();
    expect(() => registry.architecture('resnet99')).toThrow("unknown architecture 'resnet99'; registered: mlp");
    expect(() => registry.matcher('magic')).toThrow("unknown matcher 'magic'; registered: weight");
  });
});

describe('variants in a registry', () => {
  it('are derived once, and dispose releases what they cached', async () => {
    const registry = await createRegistry();
    const plugin = registry.architecture('mlp.w-asym');
    expect(registry.architecture('mlp.w-asym')).toBe(plugin);
    const config = { input: 6, hidden: [8, 7], classes: 3, wAsym: { seed: 1, nFix: [2, 3, 2] } };
    const params = plugin.init(config, 0);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      plugin.apply(config, params, tf.ones([2, 6]));
    });
    // The masks and fixed values of three layers stay cached with the plugin...
    expect(tf.memory().numTensors).toBe(before + 6);
    registry.dispose();
    // ...until the registry is disposed; the next lookup derives afresh.
    expect(tf.memory().numTensors).toBe(before);
    expect(registry.architecture('mlp.w-asym')).not.toBe(plugin);
  });
});
