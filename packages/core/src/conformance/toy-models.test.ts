import * as tf from '@tensorflow/tfjs';
import { weightMatchingMatcher } from '../matching/weight-matching';
import { Rng } from '../random/rng';
import { elementsEqual, identity, inverse, random } from '../symmetry/algebra';
import { restrictSpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import { toyModels, toyResidual } from '../testing/fixtures/toy-models';
import {
  checkSpecValidates,
  compositionError,
  logitsDifference,
  outputChangeUnderRandomElement,
  roundTripError,
  selfMatch,
} from './conformance';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(toyModels.map((plugin) => [plugin.id, plugin] as const))('conformance of %s', (_id, plugin) => {
  const config = plugin.examples[0];
  for (const seed of [0, 1, 2]) {
    it(`keeps outputs under a random element (seed ${seed})`, () => {
      expect(outputChangeUnderRandomElement({ plugin, config, seed })).toBeLessThanOrEqual(1e-4);
    });
  }
  it('validates its spec', () => expect(() => checkSpecValidates({ plugin, config })).not.toThrow());
  it('g then g⁻¹ restores the params', () => expect(roundTripError({ plugin, config, seed: 3 })).toBeLessThanOrEqual(1e-4));
  it('compose(g, h) acts as g then h', () => expect(compositionError({ plugin, config, seed: 4 })).toBeLessThanOrEqual(1e-4));

  it('a random element really moves the parameters', () => {
    const spec = plugin.symmetry(config);
    const params = plugin.init(config, 0);
    const moved = transform(params, spec, random(spec, new Rng(9)));
    const changed = Object.keys(params).some((k) => tf.max(tf.abs(tf.sub(params[k], moved[k]))).dataSync()[0] > 1e-3);
    expect(changed).toBe(true);
  });

  it('a perturbation outside the group changes the outputs', () => {
    const params = plugin.init(config, 0);
    const other = plugin.init(config, 1);
    expect(logitsDifference({ plugin, config }, params, other)).toBeGreaterThan(1e-2);
  });
});

describe('self-matching on toy models', () => {
  it('recovers a hidden permutation next to an orthogonal stream', () => {
    const config = toyResidual.examples[0];
    const result = selfMatch({ plugin: toyResidual, config, seed: 5 }, weightMatchingMatcher);
    expect(result.groups).toEqual(['hidden']);
    expect(result.recovered).toBe(true);
    expect(result.residual).toBeLessThanOrEqual(1e-6);
  });
});

describe('batched groups', () => {
  it('inverse of an element with batched items undoes it and is not the item-wise inverse', () => {
    const plugin = toyModels[2];
    const spec = plugin.symmetry(plugin.examples[0]);
    const g = random(spec, new Rng(21));
    const inv = inverse(spec, g);
    expect(elementsEqual(inverse(spec, inv), g)).toBe(true);
    expect(elementsEqual(g, identity(spec))).toBe(false);
    const restricted = restrictSpec(spec, ['experts']);
    expect(Object.keys(restricted.groups)).toEqual(['experts']);
  });
});

describe('the three actions are distinct for invertible groups', () => {
  it('declaring the key side as g instead of inverse-transpose breaks invariance', () => {
    const plugin = toyModels[1];
    const config = plugin.examples[0];
    const wrong = {
      ...plugin,
      symmetry: (c: typeof config) => {
        const spec = plugin.symmetry(c);
        return { ...spec, axes: { ...spec.axes, 'k.weight': [[{ group: 'heads', as: 'g' as const }, { group: 'qk', as: 'g' as const }], null] } };
      },
    };
    expect(outputChangeUnderRandomElement({ plugin: wrong, config, seed: 0 })).toBeGreaterThan(1e-2);
  });
});
