import { cpuBackend, SpecError, toyPerceptron } from '@weightspace/core';
import { alignModels } from './alignment';
import { createRegistrySync } from './modules';

beforeAll(() => cpuBackend.activate());

describe('alignModels', () => {
  const config = { input: 16, hidden: [12, 10] as [number, number], classes: 4 };
  const registry = createRegistrySync();
  const options = { method: 'weight', seed: 0, maxIterations: 20 };

  it('returns an aligned B that computes B’s function', () => {
    const [a, b] = [1, 2].map((seed) => toyPerceptron.init(config, seed));
    expect(() => alignModels(registry, toyPerceptron, config, a, b, options)).not.toThrow();
  });

  it('refuses, naming the group, when the spec’s actions break the function', () => {
    // h0 permutes layer 0's rows but, wrongly, not layer 1's columns.
    const wrong = {
      ...toyPerceptron,
      symmetry: (c: typeof config) => {
        const spec = toyPerceptron.symmetry(c);
        return { ...spec, axes: { ...spec.axes, 'layers.1.weight': [[{ group: 'h1', as: 'g' as const }], null] } };
      },
    };
    const [a, b] = [1, 2].map((seed) => toyPerceptron.init(config, seed));
    expect(() => alignModels(registry, wrong, config, a, b, options)).toThrow(SpecError);
    expect(() => alignModels(registry, wrong, config, a, b, options)).toThrow(
      /the actions of h0 \([^)]*\) in toy\.perceptron's symmetry spec break it; nothing was written/,
    );
  });
});
