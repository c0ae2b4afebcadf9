import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { randomInputOf } from '../conformance/conformance';
import { ConfigError } from '../errors/errors';
import { disposeParams, shapesOf } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import { toyBilinear, toyExperts, toyPerceptron, toyResidual } from '../testing/fixtures/toy-models';
import { embedModelInWider, widestConfig } from './widths';

beforeAll(() => cpuBackend.activate());

/** Each toy model at a narrow config and a config wider in every group that may grow. */
const pairs: Array<[AnyArchitecture, unknown, unknown]> = [
  [toyPerceptron, { input: 16, hidden: [5, 7], classes: 4 }, { input: 16, hidden: [12, 10], classes: 4 }],
  [toyResidual, { input: 5, width: 4, hidden: 3, classes: 3 }, { input: 5, width: 9, hidden: 8, classes: 3 }],
  [toyBilinear, { input: 4, heads: 2, headDim: 2, classes: 3 }, { input: 4, heads: 5, headDim: 2, classes: 3 }],
];

function logitsChange(
  plugin: AnyArchitecture,
  narrow: unknown,
  a: Record<string, tf.Tensor>,
  wide: unknown,
  b: Record<string, tf.Tensor>,
): number {
  return tf.tidy(() => {
    const x = randomInputOf({ plugin, config: narrow, seed: 5 }, 16);
    const diff = tf.sub(plugin.apply(narrow, a, x).logits, plugin.apply(wide, b, x).logits);
    return tf.max(tf.abs(diff)).dataSync()[0];
  });
}

describe('embedModelInWider', () => {
  it.each(pairs.map(([plugin, narrow, wide]) => [plugin.id, plugin, narrow, wide] as const))(
    'embeds a narrow %s into the wide shapes without changing its logits',
    (_id, plugin, narrow, wide) => {
      const params = plugin.init(narrow, 3);
      const embedded = embedModelInWider(plugin, narrow, params, wide);
      const fresh = plugin.init(wide, 0);
      expect(shapesOf(embedded)).toEqual(shapesOf(fresh));
      expect(logitsChange(plugin, narrow, params, wide, embedded)).toBeLessThan(1e-5);
      // Every narrow entry is still there (the rest are the zero units): the sums of squares agree.
      const energy = (p: Record<string, tf.Tensor>) =>
        Object.values(p).reduce((s, t) => s + tf.sum(tf.square(t)).dataSync()[0], 0);
      expect(energy(embedded)).toBeGreaterThan(0);
      if (plugin !== toyResidual)
        expect(Math.abs(energy(embedded) - energy(params))).toBeLessThan(1e-3 * energy(params));
      [params, embedded, fresh].forEach(disposeParams);
    },
  );

  it('rescales an orthogonal stream by √(n/m) on its writers and 1/√(n/m) on its readers', () => {
    const narrow = { input: 5, width: 4, hidden: 3, classes: 3 };
    const wide = { input: 5, width: 16, hidden: 3, classes: 3 };
    const params = toyResidual.init(narrow, 1);
    const embedded = embedModelInWider(toyResidual, narrow, params, wide);
    const norm = (t: tf.Tensor) => Math.sqrt(tf.sum(tf.square(t)).dataSync()[0]);
    expect(norm(embedded['embed.weight']) / norm(params['embed.weight'])).toBeCloseTo(2, 5);
    expect(norm(embedded['head.weight']) / norm(params['head.weight'])).toBeCloseTo(0.5, 5);
    [params, embedded].forEach(disposeParams);
  });

  it('refuses a model that is not narrower, naming the group', () => {
    const [plugin, narrow, wide] = pairs[0];
    const params = plugin.init(wide, 0);
    expect(() => embedModelInWider(plugin, wide, params, narrow)).toThrow(
      new ConfigError("group 'h0' has 12 units in the narrower model but 5 in the wider"),
    );
    disposeParams(params);
  });

  it('refuses to grow a batched group (the width of each head)', () => {
    const narrow = { input: 4, heads: 2, headDim: 2, classes: 3 };
    const params = toyBilinear.init(narrow, 0);
    expect(() => embedModelInWider(toyBilinear, narrow, params, { ...narrow, headDim: 3 })).toThrow(
      "group 'heads' has blocks of 2 units in one model and 3 in the other: only the number of blocks may differ",
    );
    disposeParams(params);
  });

  it('refuses an embedding that changes the function (a softmax gate over added experts), naming the model', () => {
    // Zero gate rows still take a share of the softmax: the added experts are not silent.
    const narrow = { input: 4, experts: 2, hidden: 5, classes: 3 };
    const params = toyExperts.init(narrow, 0);
    expect(() => embedModelInWider(toyExperts, narrow, params, { ...narrow, experts: 4 }, 'small.safetensors')).toThrow(
      /^small.safetensors: embedded into the wider toy.experts it computes a different function/,
    );
    disposeParams(params);
  });
});

describe('widestConfig', () => {
  it('picks the config that covers the others, whatever the order', () => {
    const [, narrow, wide] = pairs[0];
    expect(widestConfig(toyPerceptron, [narrow, wide, narrow], ['a', 'b', 'c'])).toBe(1);
    expect(widestConfig(toyPerceptron, [wide, narrow], ['a', 'b'])).toBe(0);
  });

  it('refuses models each wider somewhere, naming them', () => {
    const one = { input: 16, hidden: [12, 5], classes: 4 };
    const other = { input: 16, hidden: [5, 12], classes: 4 };
    expect(() => widestConfig(toyPerceptron, [one, other], ['x.safetensors', 'y.safetensors'])).toThrow(
      /^x.safetensors, y.safetensors: no one of these toy.perceptron models is at least as wide/,
    );
  });
});
