import * as tf from '@tensorflow/tfjs';
import {
  canonicalFormChange,
  checkSpecValidates,
  cpuBackend,
  disposeParams,
  maxAbsDifference,
  outputChangeUnderRandomElement,
  type Params,
  roundTripError,
  shapesOf,
} from '@weightspace/core';
import { topKMask } from './moe-layer';
import { moeMlp } from './moe-mlp';
import type { MoeMlpConfig } from './moe-mlp-config';

beforeAll(() => cpuBackend.activate());

const rowsOf = (t: tf.Tensor) => t.arraySync() as number[][];
const vec = (t: tf.Tensor) => Array.from(t.dataSync());
const dot = (w: number[], x: number[]) => w.reduce((s, v, i) => s + v * x[i], 0);
const affine = (w: number[][], b: number[], x: number[]) => w.map((row, o) => dot(row, x) + b[o]);
const relu = (x: number[]) => x.map((v) => Math.max(0, v));

/**
 * The model's logits for one sample, computed by hand from the per-expert tensors: the trunk, the
 * gate's softmax (over the k best scores, ties to the lower index, for top-k), every expert, the
 * shared experts, the head.
 */
function byHand(config: MoeMlpConfig, p: Params, x: number[]): number[] {
  const trunk = relu(affine(rowsOf(p['layers.0.weight']), vec(p['layers.0.bias']), x));
  const scores = affine(rowsOf(p['moe.gate.weight']), vec(p['moe.gate.bias']), trunk);
  const k = config.topK ?? config.experts;
  const chosen = scores.map((s, i) => scores.filter((t, j) => t > s || (t === s && j < i)).length < k);
  const top = Math.max(...scores.filter((_, i) => chosen[i]));
  const e = scores.map((s, i) => (chosen[i] ? Math.exp(s - top) : 0));
  const weights = e.map((v) => v / e.reduce((a, b) => a + b, 0));
  const expert = (name: string) =>
    affine(
      rowsOf(p[`${name}.fc2.weight`]),
      vec(p[`${name}.fc2.bias`]),
      relu(affine(rowsOf(p[`${name}.fc1.weight`]), vec(p[`${name}.fc1.bias`]), trunk)),
    );
  const mixed = new Array<number>(config.width).fill(0);
  weights.forEach((w, i) => expert(`moe.experts.${i}`).forEach((v, o) => (mixed[o] += w * v)));
  for (let s = 0; s < (config.sharedExperts ?? 0); s++)
    expert(`moe.shared_experts.${s}`).forEach((v, o) => (mixed[o] += v));
  return affine(rowsOf(p['layers.1.weight']), vec(p['layers.1.bias']), mixed);
}

describe('moe-mlp', () => {
  const perExpert = moeMlp.examples.filter((c) => c.layout !== 'stacked');

  it.each(perExpert.map((c) => [JSON.stringify(c), c] as const))(
    'computes trunk → gate-weighted experts (+ shared) → head, as by hand: %s',
    (_name, config) => {
      const params = moeMlp.init(config, 3);
      const x = tf.randomNormal([4, config.input], 0, 1, 'float32', 5);
      const logits = rowsOf(moeMlp.apply(config, params, x).logits);
      rowsOf(x).forEach((sample, n) =>
        byHand(config, params, sample).forEach((v, o) => expect(logits[n][o]).toBeCloseTo(v, 4)),
      );
      disposeParams(params);
    },
  );

  it('chooses the k highest gate scores, a tie going to the lower index', () => {
    const mask = topKMask(
      tf.tensor2d([
        [0.1, 0.9, 0.5, 0.7],
        [1, 1, 1, 0],
        [2, 0, 2, 2],
      ]),
      2,
    );
    expect(rowsOf(mask)).toEqual([
      [0, 1, 0, 1],
      [1, 1, 0, 0],
      [1, 0, 1, 0],
    ]);
  });

  it('computes the same function from the same seed whether its experts are stacked or not', () => {
    const config = { input: 5, width: 4, experts: 4, expertWidth: 3, classes: 3, topK: 2, sharedExperts: 1 };
    const [a, b] = [moeMlp.init(config, 2), moeMlp.init({ ...config, layout: 'stacked' }, 2)];
    expect(shapesOf(b)['moe.experts.fc2.weight']).toEqual([4, 4, 3]);
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 1);
    const diff = tf.max(
      tf.abs(tf.sub(moeMlp.apply(config, a, x).logits, moeMlp.apply({ ...config, layout: 'stacked' }, b, x).logits)),
    );
    expect(diff.dataSync()[0]).toBe(0);
  });

  it('gives the same outputs when one vector is added to every gate row and one scalar to every gate bias', () => {
    for (const config of perExpert) {
      const params = moeMlp.init(config, 4);
      const shifted: Params = {
        ...params,
        'moe.gate.weight': tf.add(params['moe.gate.weight'], tf.randomNormal([1, config.width], 0, 3, 'float32', 8)),
        'moe.gate.bias': tf.add(params['moe.gate.bias'], 2.5),
      };
      const x = tf.randomNormal([8, config.input], 0, 1, 'float32', 6);
      const change = tf.max(
        tf.abs(tf.sub(moeMlp.apply(config, params, x).logits, moeMlp.apply(config, shifted, x).logits)),
      );
      expect(change.dataSync()[0]).toBeLessThan(1e-5);
      // And the canonical form removes the translation: both become the same parameters.
      const [c1, c2] = [params, shifted].map((p) => moeMlp.canonicalize!(config, p).params);
      expect(maxAbsDifference(c1, c2)).toBeLessThan(1e-5);
    }
  });

  it('infers its config from shapes, layout and shared experts included', () => {
    for (const config of moeMlp.examples) {
      const { topK: _topK, ...shapeTold } = config;
      expect(moeMlp.inferConfig(shapesOf(moeMlp.init(config, 0)))).toEqual(shapeTold);
    }
  });

  it('refuses a gate whose rows do not match the experts, and a top-k above the expert count, naming them', () => {
    const config = moeMlp.examples[0];
    const shapes = { ...shapesOf(moeMlp.init(config, 0)), 'moe.gate.weight': [4, config.width] };
    expect(() => moeMlp.inferConfig(shapes)).toThrow(
      /moe-mlp: 'moe\.gate\.weight' has 4 rows but the checkpoint has 3 experts/,
    );
    expect(() => moeMlp.init({ ...config, topK: 5 }, 0)).toThrow(
      /moe-mlp: topK 5 is larger than the number of experts \(3\)/,
    );
  });

  describe.each(moeMlp.examples.map((c) => [JSON.stringify(c), c] as const))('conformance of %s', (_name, config) => {
    const subject = { plugin: moeMlp, config, seed: 7 };
    it('spec validates', () => expect(() => checkSpecValidates(subject)).not.toThrow());
    it('a random expert order with random hidden orders leaves the outputs unchanged', () =>
      expect(outputChangeUnderRandomElement(subject)).toBeLessThanOrEqual(1e-4));
    it('g then g⁻¹ restores the params', () => expect(roundTripError(subject)).toBeLessThanOrEqual(1e-5));
    it('the canonical form (centred gate) keeps the function', () => {
      const { change, again } = canonicalFormChange(subject);
      expect(change).toBeLessThanOrEqual(1e-4);
      expect(again).toBeLessThanOrEqual(1e-5);
    });
  });
});
