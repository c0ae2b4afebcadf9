import {
  activationMatching,
  disposeParams,
  elementsEqual,
  makeBlobs,
  type MatchData,
  type Params,
  random,
  Rng,
  straightThroughMatching,
  train,
  transform,
} from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import type { ResnetConfig } from './resnet-config';
import { resnet20 } from './resnet';

const config: ResnetConfig = { input: [8, 8, 1], classes: 3, width: 1, norm: 'batchnorm', depth: 8 };
const data = makeBlobs({ classes: 3, dimension: 64, train: 96, test: 12, separation: 0.5, seed: 4 });
const spec = resnet20.symmetry(config);
const matchData: MatchData = { plugin: resnet20, config, train: data.train, samples: 96, batchSize: 32, steps: 3 };

beforeAll(() => wasmBackend.activate());

describe('data-driven matchers on a ResNet', () => {
  const g = random(spec, new Rng(8));
  let a: Params;
  let b: Params;
  beforeAll(() => {
    // Trained (on wasm, after the activation above), so that BatchNorm's running statistics and
    // the features are not those of a fresh net.
    a = train(resnet20, config, resnet20.init(config, 1), data.train, {
      epochs: 1,
      batchSize: 32,
      learningRate: 0.01,
      seed: 1,
    }).params;
    b = transform(a, spec, g);
  });
  afterAll(() => [a, b].forEach(disposeParams));

  it('activation matching recovers a hidden permutation of the same network exactly (streams pooled over their taps)', () => {
    const result = activationMatching(spec, b, a, { seed: 0, data: matchData });
    expect(elementsEqual(result.element, g)).toBe(true);
    expect(result.objectiveAfter).toBeGreaterThan(result.objectiveBefore);
  });

  it('the straight-through estimator keeps the exact permutation of a permuted copy', () => {
    const result = straightThroughMatching(spec, b, a, { seed: 0, data: matchData });
    expect(elementsEqual(result.element, g)).toBe(true);
    expect(result.iterations).toBe(3);
  });

  it('both say what they need when given no data', () => {
    expect(() => activationMatching(spec, a, b, { seed: 0 })).toThrow(
      /matcher 'activation' needs the networks and training data/,
    );
    expect(() => straightThroughMatching(spec, a, b, { seed: 0 })).toThrow(/matcher 'ste' needs/);
  });
});
