import {
  affineStemError,
  checkSpecValidates,
  compositionError,
  groupsBreakingInvariance,
  canonicalFormChange,
  matchableGroups,
  outputChangeUnderRandomElement,
  paramsMovedByRandomElement,
  removedGroups,
  removedSymmetryOutputChanges,
  roundTripError,
  selfMatch,
} from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import { createRegistrySync } from './modules';

/**
 * The conformance suite over every architecture and variant that the CLI's modules register:
 * a plugin added to `allModules` is checked here without a test of its own. An architecture must
 * declare a symmetry that moves its parameters and leaves its function unchanged; a variant must
 * really remove the base's symmetry it claims to remove, and keep it removed through training.
 */
const registry = createRegistrySync();
const ids = [...registry.architectures().map((a) => a.id), ...registry.variants().map((v) => v.id)];
const subjects = ids.flatMap((id) =>
  registry.architecture(id).examples.map((config) => [`${id} ${JSON.stringify(config)}`, id, config] as const),
);

// wasm: tfjs's cpu backend takes seconds per convolution gradient (the variants' training step).
beforeAll(() => wasmBackend.activate());

it('registers at least the MLP', () => {
  expect(ids).toContain('mlp');
  expect(subjects.length).toBeGreaterThanOrEqual(ids.length);
});

/** Logit changes below this are float noise; a removed symmetry must change outputs by more. */
const CLEARLY_CHANGED = 1e-3;

describe.each(subjects)('conformance of %s', (_name, id, config) => {
  const plugin = registry.architecture(id);
  const subject = { plugin, config, seed: 11 };
  const variant = registry.variants().find((v) => v.id === id);
  const declaresGroups = Object.keys(plugin.symmetry(config).groups).length > 0;

  it('spec validates against the parameter shapes', () => expect(() => checkSpecValidates(subject)).not.toThrow());

  if (variant) {
    const base = registry.architecture(variant.base);
    const variantSubject = { ...subject, base };
    it(`removes at least one group of its base '${variant.base}'`, () =>
      expect(removedGroups(variantSubject).length).toBeGreaterThan(0));
    it('each removed group of the base changes its outputs', () => {
      for (const change of Object.values(removedSymmetryOutputChanges(variantSubject)))
        expect(change).toBeGreaterThan(CLEARLY_CHANGED);
    });
    it('each removed group still changes its outputs after a training step', () => {
      for (const change of Object.values(removedSymmetryOutputChanges(variantSubject, { trainingStep: true })))
        expect(change).toBeGreaterThan(CLEARLY_CHANGED);
    });
  } else {
    it('declares at least one group', () => expect(declaresGroups).toBe(true));
  }

  if (declaresGroups) {
    it('a random group element moves the parameters', () =>
      expect(paramsMovedByRandomElement(subject)).toBeGreaterThan(0));
  }
  it('no group, acting alone, changes the outputs (a failure names the group)', () =>
    expect(groupsBreakingInvariance(subject, 1e-4)).toEqual([]));
  it('a random group element leaves the outputs unchanged', () =>
    expect(outputChangeUnderRandomElement(subject)).toBeLessThanOrEqual(1e-4));
  it('g then g⁻¹ restores the params', () => expect(roundTripError(subject)).toBeLessThanOrEqual(1e-4));
  it('compose(g, h) acts as g then h', () => expect(compositionError(subject)).toBeLessThanOrEqual(1e-4));

  if (plugin.affineStem) {
    it('its declared affine stem composes to the forward pass and is affine in its parameters', () =>
      expect(affineStemError(subject)).toBeLessThanOrEqual(1e-4));
  }

  const spec = plugin.symmetry(config);
  const weight = registry.matchers().find((m) => m.id === 'weight');
  const matchable = weight ? matchableGroups(spec, weight) : [];
  if (matchable.length > 0) {
    it('weight matching recovers a random element of every group it takes from a moved copy', () => {
      const result = selfMatch(subject, weight!);
      expect(result.groups).toEqual(matchable);
      expect(result.recovered).toBe(true);
      expect(result.residual).toBeLessThanOrEqual(1e-4);
    });
  }

  if (plugin.canonicalize) {
    it('its canonical form computes the same function and is its own canonical form', () => {
      const { change, again } = canonicalFormChange(subject);
      expect(change).toBeLessThanOrEqual(1e-4);
      expect(again).toBeLessThanOrEqual(1e-5);
    });
  }
});
