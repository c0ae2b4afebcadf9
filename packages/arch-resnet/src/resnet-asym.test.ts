import * as tf from '@tensorflow/tfjs';
import {
  disposeParams,
  loadParams,
  logitsDifference,
  makeBlobs,
  random,
  Rng,
  saveParams,
  train,
  transform,
} from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import { fixedEntries } from '@weightspace/reduced-symmetry';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resnet20 } from './resnet';
import { resnetSigmaAsymVariant, resnetWAsymLayers, resnetWAsymVariant, type ResnetWAsymConfig } from './resnet-asym';

const config: ResnetWAsymConfig = {
  input: [8, 8, 1],
  classes: 3,
  width: 1,
  norm: 'batchnorm',
  depth: 8,
  wAsym: { seed: 4 },
};

// wasm: training convolutions on tfjs's cpu backend takes seconds per step.
beforeAll(() => wasmBackend.activate());

describe.each([
  ['resnet20.w-asym', resnetWAsymVariant],
  ['resnet20.sigma-asym', resnetSigmaAsymVariant],
])('%s', (_id, variant) => {
  const plugin = variant.derive(resnet20);

  it('declares no channel symmetry left, and a channel permutation of the ResNet does change its outputs', () => {
    expect(plugin.symmetry(config).groups).toEqual({});
    const params = plugin.init(config, 0);
    const baseSpec = resnet20.symmetry(config);
    const moved = transform(params, baseSpec, random(baseSpec, new Rng(3)));
    expect(logitsDifference({ plugin, config }, params, moved)).toBeGreaterThan(1e-3);
    expect(logitsDifference({ plugin: resnet20, config }, params, moved)).toBeLessThanOrEqual(1e-4);
  });

  it('reloads from a checkpoint and its recorded config to bit-identical outputs in a fresh plugin', () => {
    const params = plugin.init(config, 1);
    const file = join(mkdtempSync(join(tmpdir(), 'ws-resnet-asym-')), 'model.safetensors');
    saveParams(file, params, { config: JSON.stringify(config) });
    const loaded = loadParams(file);
    const fresh = variant.derive(resnet20);
    const x = tf.tensor4d(new Rng(2).normalArray(4 * 64), [4, 8, 8, 1]);
    const before = plugin.apply(config, params, x).logits.dataSync();
    const after = fresh.apply(JSON.parse(loaded.metadata.config), loaded.params, x).logits.dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    disposeParams(params);
  });
});

describe('resnet20.w-asym', () => {
  const plugin = resnetWAsymVariant.derive(resnet20);

  it('never trains its fixed entries', () => {
    const data = makeBlobs({ classes: 3, dimension: 64, train: 64, test: 4, separation: 1, seed: 2 });
    const initial = plugin.init(config, 0);
    const name = 'layer2.0.conv1.weight';
    const before = initial[name].dataSync().slice();
    const trained = train(plugin, config, initial, data.train, {
      epochs: 1,
      batchSize: 16,
      learningRate: 0.05,
      seed: 0,
      optimizer: 'sgd',
    }).params;
    const after = trained[name].dataSync();
    const layer = resnetWAsymLayers(config).find((l) => l.param === name)!;
    const { mask } = fixedEntries(name, 32, 16 * 9, layer.nFix, layer.kappa, 4);
    let moved = 0;
    mask.forEach((keep, i) => {
      if (keep === 0) expect(after[i]).toBe(before[i]);
      else if (after[i] !== before[i]) moved++;
    });
    expect(layer.nFix).toBe(54);
    expect(moved).toBeGreaterThan(0.9 * (mask.length - 32 * 54));
  });

  it('uses the paper’s ResNet-20 defaults (κ 3; n_fix 12, 36/54/72, shortcuts 6/8, classifier 8) on CIFAR-shaped input', () => {
    const layers = resnetWAsymLayers({ input: [32, 32, 3], classes: 10, width: 8, norm: 'layernorm' });
    const nFix = Object.fromEntries(layers.map((l) => [l.param, l.nFix]));
    expect(nFix['conv1.weight']).toBe(12);
    expect(nFix['layer1.2.conv2.weight']).toBe(36);
    expect(nFix['layer2.0.conv1.weight']).toBe(54);
    expect(nFix['layer3.1.conv1.weight']).toBe(72);
    expect(nFix['layer2.0.downsample.0.weight']).toBe(6);
    expect(nFix['layer3.0.downsample.0.weight']).toBe(8);
    expect(nFix['fc.weight']).toBe(8);
    expect(layers.every((l) => l.kappa === 3)).toBe(true);
  });
});
