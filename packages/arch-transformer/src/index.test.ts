import {
  type AnyArchitecture,
  canonicalFormChange,
  coreModule,
  defaultPlan,
  inverse,
  random,
  randomInputOf,
  Rng,
  runPlan,
  transform,
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
    it.each([
      ['canonical', undefined],
      ['circuit', 'circuits'],
    ])('its %s form computes the same function and is its own form', (_name, form) => {
      const { change, again } = canonicalFormChange(subject, form);
      expect(change).toBeLessThanOrEqual(1e-4);
      expect(again).toBeLessThanOrEqual(1e-5);
    });
  },
);

describe.each([vit, gpt])('activation matching of $id', (plugin) => {
  it('recovers a random permutation of the stream and the MLP units from a moved copy, heads by weight matching', async () => {
    const registry = await Registry.fromModules([coreModule]);
    const config = (plugin as AnyArchitecture).examples[0];
    const spec = (plugin as AnyArchitecture).symmetry(config);
    const a = (plugin as AnyArchitecture).init(config, 5);
    const g = random(spec, new Rng(6));
    const b = transform(a, spec, g);
    const x = randomInputOf({ plugin, config, seed: 7 }, 64);
    const train = { x: x.dataSync() as Float32Array, y: new Int32Array(64), count: 64 };
    x.dispose();
    const matchers = registry.matchers();
    const plan = defaultPlan(spec, matchers, 'activation');
    expect(plan.stream).toBe('activation');
    expect(plan['mlp.0']).toBe('activation');
    expect(plan['heads.0']).toBe('weight');
    const result = runPlan(spec, a, b, plan, matchers, {
      seed: 0,
      data: { plugin, config, train, samples: 64, batchSize: 32 },
    });
    const inverted = inverse(spec, g);
    for (const group of ['stream', 'mlp.0']) expect(result.element[group]).toEqual(inverted[group]);
  });
});

it('feature-level analysis (LLFC) is refused for transformers, naming the architecture', async () => {
  const { llfc, EvaluationBatches } = await import('@weightspace/core');
  const config = gpt.examples[0];
  const params = gpt.init(config, 0);
  const batches = EvaluationBatches.from(
    { x: new Float32Array(6), y: new Int32Array(6), count: 1, labelsPerSample: 6 },
    [6],
  );
  expect(() => llfc(gpt, config, params, params, batches)).toThrow(
    "architecture 'gpt' declares no graph of linear layers (featureGraph().linear)",
  );
  batches.dispose();
});
