import {
  affineStemError,
  checkSpecValidates,
  compositionError,
  cpuBackend,
  isPermutationKind,
  outputChangeUnderRandomElement,
  roundTripError,
  selfMatch,
} from '@weightspace/core';
import { createRegistrySync } from './modules';

/**
 * The conformance suite over every architecture and variant that the CLI's modules register:
 * a plugin added to `allModules` is checked here without a test of its own.
 */
const registry = createRegistrySync();
const ids = [...registry.architectures().map((a) => a.id), ...registry.variants().map((v) => v.id)];
const subjects = ids.flatMap((id) => registry.architecture(id).examples.map((config) => [`${id} ${JSON.stringify(config)}`, id, config] as const));

beforeAll(() => cpuBackend.activate());

it('registers at least the MLP', () => {
  expect(ids).toContain('mlp');
  expect(subjects.length).toBeGreaterThanOrEqual(ids.length);
});

describe.each(subjects)('conformance of %s', (_name, id, config) => {
  const plugin = registry.architecture(id);
  const subject = { plugin, config, seed: 11 };

  it('spec validates against the parameter shapes', () => expect(() => checkSpecValidates(subject)).not.toThrow());
  it('a random group element leaves the outputs unchanged', () => expect(outputChangeUnderRandomElement(subject)).toBeLessThanOrEqual(1e-4));
  it('g then g⁻¹ restores the params', () => expect(roundTripError(subject)).toBeLessThanOrEqual(1e-4));
  it('compose(g, h) acts as g then h', () => expect(compositionError(subject)).toBeLessThanOrEqual(1e-4));

  if (plugin.affineStem) {
    it('its declared affine stem composes to the forward pass and is affine in its parameters', () => expect(affineStemError(subject)).toBeLessThanOrEqual(1e-4));
  }

  const spec = plugin.symmetry(config);
  const permutationGroups = Object.values(spec.groups).filter((g) => isPermutationKind(g.kind) && g.batchedOver === undefined);
  if (permutationGroups.length > 0) {
    it('self-matching a transformed copy recovers the permutation exactly', () => {
      const matcher = registry.matchers().find((m) => m.kinds.includes('permutation'));
      expect(matcher).toBeDefined();
      const result = selfMatch(subject, matcher!);
      expect(result.groups.length).toBe(permutationGroups.length);
      expect(result.recovered).toBe(true);
      expect(result.residual).toBeLessThanOrEqual(1e-5);
    });
  }
});
