import * as tf from '@tensorflow/tfjs';
import { cpuBackend, logitsDifference, makeBlobs, random, Rng, train, transform } from '@weightspace/core';
import { fixedEntries } from '@weightspace/reduced-symmetry';
import { mlp } from './mlp';
import { mlpSigmaAsymVariant } from './mlp-sigma-asym';
import { mlpWAsymVariant, wAsymDefaults } from './mlp-w-asym';

beforeAll(() => cpuBackend.activate());

const wAsym = mlpWAsymVariant.derive(mlp);
const config = { input: 16, hidden: [12, 10], classes: 4, wAsym: { seed: 2, nFix: [4, 3, 2] } };

describe('mlp.w-asym', () => {
  it('declares no hidden-unit symmetry left, and a hidden permutation does change its outputs', () => {
    expect(wAsym.symmetry(config).groups).toEqual({});
    const params = wAsym.init(config, 0);
    const baseSpec = mlp.symmetry(config);
    const moved = transform(params, baseSpec, random(baseSpec, new Rng(3)));
    expect(logitsDifference({ plugin: wAsym, config }, params, moved)).toBeGreaterThan(1e-3);
    // The same permutation leaves the standard MLP's function intact.
    expect(logitsDifference({ plugin: mlp, config }, params, moved)).toBeLessThanOrEqual(1e-5);
  });

  it('gives its fixed entries no gradient: training moves only the trainable ones', () => {
    const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 8, separation: 1, seed: 1 });
    const initial = wAsym.init(config, 0);
    const before = initial['layers.1.weight'].dataSync().slice();
    const trained = train(wAsym, config, initial, data.train, {
      epochs: 2,
      batchSize: 32,
      learningRate: 0.05,
      seed: 0,
      optimizer: 'sgd',
    }).params;
    const after = trained['layers.1.weight'].dataSync();
    const { mask } = fixedEntries('layers.1.weight', 10, 12, 3, 1, 2);
    let moved = 0;
    mask.forEach((keep, i) => {
      if (keep === 0) expect(after[i]).toBe(before[i]);
      else if (after[i] !== before[i]) moved++;
    });
    expect(moved).toBeGreaterThan(80);
  });

  it('uses the paper’s defaults for the MNIST MLP', () => {
    expect(wAsymDefaults({ input: 784, hidden: [512, 512, 512], classes: 10 })).toEqual({
      nFix: [64, 64, 64, 256],
      kappa: [1, 1, 0.5, 0.25],
    });
  });
});

describe('mlp.sigma-asym', () => {
  const sigma = mlpSigmaAsymVariant.derive(mlp);
  const c = { input: 16, hidden: [12, 10], classes: 4, figluSeed: 3 };

  it('declares no hidden-unit symmetry left, and a hidden permutation does change its outputs', () => {
    expect(sigma.symmetry(c).groups).toEqual({});
    const params = sigma.init(c, 0);
    const baseSpec = mlp.symmetry(c);
    const moved = transform(params, baseSpec, random(baseSpec, new Rng(4)));
    expect(logitsDifference({ plugin: sigma, config: c }, params, moved)).toBeGreaterThan(1e-3);
  });

  it('rebuilds the same function from the seed in a fresh plugin, and another with another seed', () => {
    const params = sigma.init(c, 0);
    const fresh = mlpSigmaAsymVariant.derive(mlp);
    const x = makeBlobs({ classes: 4, dimension: 16, train: 4, test: 4, separation: 1, seed: 0 });
    const input = tf.tensor2d(x.train.x, [4, 16]);
    expect(Array.from(fresh.apply(c, params, input).logits.dataSync())).toEqual(
      Array.from(sigma.apply(c, params, input).logits.dataSync()),
    );
    expect(Array.from(sigma.apply({ ...c, figluSeed: 4 }, params, input).logits.dataSync())).not.toEqual(
      Array.from(sigma.apply(c, params, input).logits.dataSync()),
    );
  });
});
