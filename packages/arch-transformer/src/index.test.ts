import {
  type AnyArchitecture,
  canonicalFormChange,
  checkSpecValidates,
  groupsBreakingInvariance,
  paramsMovedByRandomElement,
  Registry,
  roundTripError,
  selfMatch,
  weightMatchingMatcher,
} from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import { archTransformerManifest, archTransformerModule } from './index';
import { gpt } from './gpt';
import { vit } from './vit';

beforeAll(() => wasmBackend.activate());

describe('@weightspace/arch-transformer module', () => {
  it('registers vit and gpt with a valid manifest', async () => {
    const registry = await Registry.fromModules([archTransformerModule]);
    expect(registry.manifests).toEqual([archTransformerManifest]);
    expect(registry.architectures().map((a) => a.id)).toEqual(['vit', 'gpt']);
  });
});

describe.each([vit, gpt].flatMap((plugin) => plugin.examples.map((config, k) => ({ plugin, config, k }))))(
  '$plugin.id example $k',
  ({ plugin, config }) => {
    const subject = { plugin, config, seed: 3 };
    it('its spec validates and a random element moves the parameters', () => {
      checkSpecValidates(subject);
      expect(paramsMovedByRandomElement(subject)).toBeGreaterThan(1e-3);
    });
    it('no group, alone, changes the outputs', () => expect(groupsBreakingInvariance(subject, 1e-4)).toEqual([]));
    it('g then g⁻¹ restores the parameters', () => expect(roundTripError(subject)).toBeLessThanOrEqual(1e-4));
    it('weight matching recovers a random element of every group from a moved copy', () => {
      const result = selfMatch(subject, weightMatchingMatcher);
      const spec = (plugin as AnyArchitecture).symmetry(config);
      expect([...result.groups].sort()).toEqual(Object.keys(spec.groups).sort());
      expect(result.recovered).toBe(true);
      expect(result.residual).toBeLessThanOrEqual(1e-4);
    });
    it('its canonical form computes the same function and is its own canonical form', () => {
      const { change, again } = canonicalFormChange(subject);
      expect(change).toBeLessThanOrEqual(1e-4);
      expect(again).toBeLessThanOrEqual(1e-5);
    });
  },
);
