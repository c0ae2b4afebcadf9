import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { makeBlobs } from '../data/synthetic';
import type { Params } from '../params/params';
import { toyPerceptron } from '../testing/fixtures/toy-models';
import { train } from '../train/train';
import { robustness } from './robustness';
import { lipschitzUpperBound, spectralNorm, weightNorm } from './spectral-norm';

beforeAll(() => cpuBackend.activate());

describe('spectral norms', () => {
  it('finds the largest singular value of a diagonal and of a rank-one matrix', () => {
    expect(spectralNorm([3, 0, 0, 0, -5, 0], 2, 3)).toBeCloseTo(5, 6);
    const u = [1, 2, 2];
    const v = [3, 4];
    const outer = u.flatMap((ui) => v.map((vj) => ui * vj));
    expect(spectralNorm(outer, 3, 2)).toBeCloseTo(3 * 5, 6);
  });

  it('bounds the Lipschitz constant by the product over weight matrices, skipping biases', () => {
    const params = {
      'a.weight': tf.tensor2d([
        [2, 0],
        [0, 1],
      ]),
      'a.bias': tf.tensor1d([100, 100]),
      'b.weight': tf.tensor2d([[0, 3]]),
    };
    const { layers, bound } = lipschitzUpperBound(params);
    expect(layers.map((l) => l.name)).toEqual(['a.weight', 'b.weight']);
    expect(bound).toBeCloseTo(6, 6);
    expect(weightNorm(params)).toBeCloseTo(Math.sqrt(4 + 1 + 100 * 100 * 2 + 9), 6);
  });
});

describe('robustness', () => {
  const config = { input: 16, hidden: [24, 24] as [number, number], classes: 4 };
  const data = makeBlobs({ classes: 4, dimension: 16, train: 1024, test: 256, separation: 0.6, seed: 3 });
  let trained: Params;
  beforeAll(() => {
    trained = train(toyPerceptron, config, toyPerceptron.init(config, 1), data.train, {
      epochs: 20,
      batchSize: 64,
      learningRate: 0.01,
      seed: 0,
    }).params;
  });
  // Blobs are not confined to [0, 1]: use a wide input range so clipping does not interfere.
  const base = { inputRange: [-50, 50] as [number, number], seed: 5, batchSize: 100 };

  it('reports clean accuracy and equals it at zero budget and zero noise', () => {
    const r = robustness(toyPerceptron, config, trained, data.test, { ...base, epsilons: [0], noiseStds: [0] });
    expect(r.clean.accuracy).toBeGreaterThan(0.6);
    expect(r.fgsm['0']).toBeCloseTo(r.clean.accuracy, 10);
    expect(r.pgd['0']).toBeCloseTo(r.clean.accuracy, 10);
    expect(r.noise['0']).toBeCloseTo(r.clean.accuracy, 10);
  });

  it('attacks lower accuracy, PGD at least as much as FGSM, more with a larger budget', () => {
    const r = robustness(toyPerceptron, config, trained, data.test, {
      ...base,
      epsilons: [0.3, 1.0],
      noiseStds: [0.5],
    });
    expect(r.fgsm['0.3']).toBeLessThan(r.clean.accuracy);
    expect(r.pgd['0.3']).toBeLessThanOrEqual(r.fgsm['0.3']);
    expect(r.pgd['1']).toBeLessThan(r.pgd['0.3']);
    expect(r.noise['0.5']).toBeLessThanOrEqual(r.clean.accuracy + 0.02);
    expect(r.lipschitzUpperBound).toBeGreaterThan(0);
    expect(r.logits.meanStd).toBeGreaterThan(0);
  });

  it('is reproducible from its seed and attacks only the requested prefix', () => {
    const a = robustness(toyPerceptron, config, trained, data.test, {
      ...base,
      epsilons: [0.5],
      noiseStds: [0.5],
      attackLimit: 100,
    });
    const b = robustness(toyPerceptron, config, trained, data.test, {
      ...base,
      epsilons: [0.5],
      noiseStds: [0.5],
      attackLimit: 100,
    });
    expect(a).toEqual(b);
    expect(a.attackedSamples).toBe(100);
    expect(a.clean.samples).toBe(256);
  });
});
