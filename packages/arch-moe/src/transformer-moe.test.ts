import * as tf from '@tensorflow/tfjs';
import {
  type AnyArchitecture,
  canonicalFormChange,
  ConfigError,
  cpuBackend,
  defaultPlan,
  disposeParams,
  elementsEqual,
  inverse,
  maxAbsDifference,
  type Params,
  random,
  randomInputOf,
  Rng,
  runPlan,
  selfMatch,
  shapesOf,
  transform,
  weightMatchingMatcher,
  activationMatchingMatcher,
} from '@weightspace/core';
import { gptModel, type GptConfig, denseFeedForward, vitModel, type VitConfig } from '@weightspace/layers';
import { expertMatchingMatcher } from './expert-matching';
import { gptMoe } from './gpt-moe';
import { moeBlocksFrom } from './moe-blocks';
import { vitMoe } from './vit-moe';

beforeAll(() => cpuBackend.activate());

/** The dense model each MoE family is built on, with the same names (its own family, dense in every block). */
const denseOf = {
  'vit-moe': vitModel<VitConfig>({ ...vitMoe, feedForward: () => denseFeedForward }),
  'gpt-moe': gptModel<GptConfig>({ ...gptMoe, feedForward: () => denseFeedForward }),
} as Record<string, AnyArchitecture>;

const families = [vitMoe, gptMoe] as AnyArchitecture[];
const logitsOf = (plugin: AnyArchitecture, config: unknown, params: Params, x: tf.Tensor) =>
  plugin.apply(config, params, x).logits;
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

describe.each(families.map((plugin) => [plugin.id, plugin] as const))('%s', (id, plugin) => {
  const base = plugin.examples[0] as Record<string, unknown> & { mlpWidth: number; depth: number };

  it('with no MoE block is the dense model: the same tensors from the same seed', () => {
    const config = { ...base, moeBlocks: [] };
    const moe = plugin.init(config, 4);
    const dense = denseOf[id].init(config, 4);
    expect(maxAbsDifference(moe, dense)).toBe(0);
    disposeParams(moe);
    disposeParams(dense);
  });

  // One expert of the MLP's width holding the MLP's weights (its gate's softmax is 1), or two
  // identical copies of it under top-2 gating: the MoE layer is the MLP, token by token.
  it.each([
    ['one expert', { experts: 1 }],
    ['two identical experts, top-2, stacked', { experts: 2, topK: 2, layout: 'stacked' }],
  ])('computes the dense model where %s carry the MLP weights', (_name, fields) => {
    const config = { ...base, expertWidth: base.mlpWidth, moeBlocks: [0], sharedExperts: undefined, ...fields };
    const experts = (config as { experts: number }).experts;
    const dense = denseOf[id].init(config, 5);
    const moe = plugin.init(config, 6);
    const prefix = id === 'vit-moe' ? 'blocks.0.mlp' : 'transformer.h.0.mlp';
    const [fc1, fc2] = id === 'vit-moe' ? ['fc1', 'fc2'] : ['c_fc', 'c_proj'];
    const withMlp: Params = { ...dense };
    for (const name of Object.keys(moe)) if (name.startsWith(`${prefix}.gate.`)) withMlp[name] = moe[name];
    for (const [ours, theirs] of [
      ['fc1', fc1],
      ['fc2', fc2],
    ])
      for (const part of ['weight', 'bias']) {
        const tensor = dense[`${prefix}.${theirs}.${part}`];
        delete withMlp[`${prefix}.${theirs}.${part}`];
        if ((config as { layout?: string }).layout === 'stacked')
          withMlp[`${prefix}.experts.${ours}.${part}`] = tf.stack(Array.from({ length: experts }, () => tensor));
        else for (let k = 0; k < experts; k++) withMlp[`${prefix}.experts.${k}.${ours}.${part}`] = tensor;
      }
    expect(Object.keys(withMlp).sort()).toEqual(Object.keys(moe).sort());
    const x = randomInputOf({ plugin, config, seed: 2 }, 3);
    expect(maxDiff(logitsOf(plugin, config, withMlp, x), logitsOf(denseOf[id], config, dense, x))).toBeLessThan(1e-5);
  });

  it('gives the same outputs and canonical form when one vector is added to every gate row and one scalar to every gate bias', () => {
    const config = plugin.examples[1];
    const gate = id === 'vit-moe' ? 'blocks.1.mlp.gate' : 'transformer.h.1.mlp.gate';
    const params = plugin.init(config, 3);
    const dim = (config as { dim: number }).dim;
    const shifted: Params = {
      ...params,
      [`${gate}.weight`]: tf.add(params[`${gate}.weight`], tf.randomNormal([1, dim], 0, 3, 'float32', 8)),
      [`${gate}.bias`]: tf.add(params[`${gate}.bias`], 2.5),
    };
    const x = randomInputOf({ plugin, config, seed: 9 }, 4);
    expect(maxDiff(logitsOf(plugin, config, params, x), logitsOf(plugin, config, shifted, x))).toBeLessThan(1e-5);
    const [c1, c2] = [params, shifted].map((p) => plugin.canonicalize!(config, p).params);
    expect(maxAbsDifference(c1, c2)).toBeLessThan(1e-5);
  });

  describe.each(plugin.examples.map((config, k) => [k, config] as const))('example %i', (_k, config) => {
    const subject = { plugin, config, seed: 7 };
    it('the two-stage matcher recovers a random expert order with random hidden orders exactly', () => {
      const result = selfMatch(subject, expertMatchingMatcher);
      expect(result.groups.length).toBeGreaterThanOrEqual(2);
      expect(result.recovered).toBe(true);
      expect(result.residual).toBeLessThanOrEqual(1e-5);
    });
    it.each([
      ['canonical', undefined],
      ['circuit', 'circuits'],
    ])('its %s form computes the same function and is its own form', (_name, form) => {
      const { change, again } = canonicalFormChange(subject, form);
      expect(change).toBeLessThanOrEqual(1e-4);
      expect(again).toBeLessThanOrEqual(1e-5);
    });
  });

  // Circuits are a rewrite of the canonical form that shapes do not tell apart.
  const inferable = plugin.examples.filter((config) => !(config as { circuits?: boolean }).circuits);
  it.each(inferable.map((config) => [JSON.stringify(config), config] as const))(
    'reads its config back from its tensor shapes (gating aside, which shapes do not show): %s',
    (_name, config) => {
      const { topK: _topK, ...told } = config as { topK?: number; heads: number };
      const params = plugin.init(config, 0);
      expect(plugin.inferConfig!(shapesOf(params), { heads: told.heads })).toEqual(told);
      disposeParams(params);
    },
  );

  it("in a plan with weight matching for the rest, 'moe' recovers every group of a moved copy", () => {
    const config = plugin.examples[2];
    const spec = plugin.symmetry(config);
    const a = plugin.init(config, 5);
    const g = random(spec, new Rng(6));
    const b = transform(a, spec, g);
    const matchers = [weightMatchingMatcher, expertMatchingMatcher];
    const plan = defaultPlan(spec, matchers, 'moe');
    const experts = Object.keys(spec.groups).filter((group) => group.endsWith('.experts'));
    expect(experts.length).toBe(2);
    for (const group of experts) expect(plan[group]).toBe('moe');
    const result = runPlan(spec, a, b, plan, matchers, { seed: 0 });
    expect(elementsEqual(result.element, inverse(spec, g), 1e-4)).toBe(true);
    disposeParams(a);
    disposeParams(b);
  });

  it('in a plan led by activation matching, the MoE groups (no tap) go to the other matchers and a moved copy is recovered', () => {
    const config = plugin.examples[1];
    const spec = plugin.symmetry(config);
    const a = plugin.init(config, 5);
    const g = random(spec, new Rng(8));
    const b = transform(a, spec, g);
    const matchers = [weightMatchingMatcher, activationMatchingMatcher, expertMatchingMatcher];
    const plan = defaultPlan(spec, matchers, 'activation', plugin.featureGraph!(config));
    expect(plan).toMatchObject({ stream: 'activation', 'mlp.0': 'activation', 'heads.0': 'weight' });
    for (const [group, matcher] of Object.entries(plan))
      if (group.includes('experts')) expect([group, matcher]).not.toEqual([group, 'activation']);
    const x = randomInputOf({ plugin, config, seed: 7 }, 64);
    const train = { x: x.dataSync() as Float32Array, y: new Int32Array(64), count: 64 };
    // The model runs on per-expert parameters while the matchers see them stacked.
    const data = { plugin, config, train, samples: 64, batchSize: 32 };
    const result = runPlan(spec, a, b, plan, matchers, { seed: 0, data });
    expect(elementsEqual(result.element, inverse(spec, g), 1e-4)).toBe(true);
    [a, b].forEach(disposeParams);
  });

  it('refuses MoE blocks it does not have, a top-k above its experts and a gate that does not fit, naming them', () => {
    expect(() => plugin.init({ ...base, moeBlocks: [base.depth] }, 0)).toThrow(
      new RegExp(`${id}: moeBlocks names block ${base.depth}, but the model has ${base.depth} blocks`),
    );
    expect(() => plugin.init({ ...base, topK: 4 }, 0)).toThrow(
      new RegExp(`${id}: topK 4 is larger than the number of experts \\(3\\)`),
    );
    const shapes = shapesOf(plugin.init(base, 0));
    const gate = Object.keys(shapes).find((name) => name.endsWith('.gate.weight'))!;
    expect(() => plugin.inferConfig!({ ...shapes, [gate]: [5, shapes[gate][1]] }, { heads: 2 })).toThrow(
      new RegExp(`'${gate.replace(/\./g, '\\.')}' has 5 rows but the checkpoint has 3 experts`),
    );
  });
});

describe('MoE placement', () => {
  it('names the first, last, every or listed blocks, and refuses what the model lacks', () => {
    expect(moeBlocksFrom('first', 4)).toEqual([0]);
    expect(moeBlocksFrom('last', 4)).toEqual([3]);
    expect(moeBlocksFrom('every', 3)).toEqual([0, 1, 2]);
    expect(moeBlocksFrom('none', 3)).toEqual([]);
    expect(moeBlocksFrom('2, 0', 3)).toEqual([0, 2]);
    expect(() => moeBlocksFrom('3', 3, '--moe-blocks')).toThrow(ConfigError);
    expect(() => moeBlocksFrom('middle', 3, '--moe-blocks')).toThrow(
      "--moe-blocks: 'middle' is not first, last, every, none or block numbers below the depth (3)",
    );
  });
});
