import * as tf from '@tensorflow/tfjs';
import {
  barrierCurve,
  checkSpecValidates,
  compositionError,
  cpuBackend,
  disposeParams,
  EvaluationBatches,
  outputChangeUnderRandomElement,
  Rng,
  roundTripError,
  selfMatch,
  shapesOf,
  weightMatchingMatcher,
} from '@weightspace/core';
import { mlp } from './mlp';

beforeAll(() => cpuBackend.activate());

describe('mlp', () => {
  const config = { input: 3, hidden: [4], classes: 2 };

  it('computes W2·relu(W1·x + b1) + b2 with PyTorch [out, in] weights', () => {
    const params = mlp.init(config, 0);
    const x = [0.5, -1, 2];
    const w1 = params['layers.0.weight'].arraySync() as number[][];
    const b1 = params['layers.0.bias'].arraySync() as number[];
    const w2 = params['layers.1.weight'].arraySync() as number[][];
    const b2 = params['layers.1.bias'].arraySync() as number[];
    const h = w1.map((row, o) =>
      Math.max(
        0,
        row.reduce((s, w, i) => s + w * x[i], b1[o]),
      ),
    );
    const expected = w2.map((row, o) => row.reduce((s, w, i) => s + w * h[i], b2[o]));
    const { logits, features } = mlp.apply(config, params, tf.tensor2d([x]));
    Array.from(logits.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    Array.from(features['layers.0'].dataSync()).forEach((v, i) => expect(v).toBeCloseTo(h[i], 5));
  });

  it('initialises like PyTorch nn.Linear: uniform within ±1/√fan_in, reproducibly', () => {
    const a = mlp.init({ input: 100, hidden: [50], classes: 10 }, 7);
    const b = mlp.init({ input: 100, hidden: [50], classes: 10 }, 7);
    const w = a['layers.0.weight'].dataSync();
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeGreaterThan(0.095);
    expect(Array.from(b['layers.0.weight'].dataSync())).toEqual(Array.from(w));
    expect(
      Array.from(mlp.init({ input: 100, hidden: [50], classes: 10 }, 8)['layers.0.weight'].dataSync()),
    ).not.toEqual(Array.from(w));
  });

  it('with layerNorm, normalises each sample over the units before the ReLU, and infers it from shapes', () => {
    const c = { input: 6, hidden: [8, 5], classes: 3, layerNorm: true };
    const params = mlp.init(c, 1);
    expect(Object.keys(params)).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'norms.0.weight',
      'norms.0.bias',
      'layers.1.weight',
      'layers.1.bias',
      'norms.1.weight',
      'norms.1.bias',
      'layers.2.weight',
      'layers.2.bias',
    ]);
    const pre = mlp.apply(c, params, tf.randomNormal([4, 6], 0, 3, 'float32', 2)).features['layers.1.pre'];
    const { mean, variance } = tf.moments(pre, 1);
    Array.from(mean.dataSync()).forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-5));
    Array.from(variance.dataSync()).forEach((v) => expect(v).toBeCloseTo(1, 3));
    expect(mlp.inferConfig(shapesOf(params))).toEqual(c);
    const { ['norms.1.bias']: _dropped, ...missing } = shapesOf(params);
    expect(() => mlp.inferConfig(missing)).toThrow(/'norms.1.bias' is missing/);
  });

  it('infers its config from checkpoint shapes', () => {
    const shapes = shapesOf(mlp.init({ input: 784, hidden: [16, 8, 4], classes: 10 }, 0));
    expect(mlp.inferConfig(shapes)).toEqual({ input: 784, hidden: [16, 8, 4], classes: 10 });
  });

  it('infers a bias-free config, and rejects a bias on a later layer of a bias-free net', () => {
    const shapes = shapesOf(mlp.init({ input: 10, hidden: [6], classes: 3, bias: false }, 0));
    expect(Object.keys(shapes)).toEqual(['layers.0.weight', 'layers.1.weight']);
    expect(mlp.inferConfig(shapes)).toEqual({ input: 10, hidden: [6], classes: 3, bias: false });
    expect(() => mlp.inferConfig({ ...shapes, 'layers.1.bias': [3] })).toThrow(
      /unexpected parameter 'layers\.1\.bias'.*no bias/,
    );
  });

  it('taps each hidden layer before and after its ReLU, as its feature graph says', () => {
    const c = { input: 4, hidden: [5, 6], classes: 3 };
    const { features, logits } = mlp.apply(c, mlp.init(c, 1), tf.randomNormal([7, 4], 0, 1, 'float32', 2));
    const graph = mlp.featureGraph!(c);
    expect(graph.linear.map((l) => [l.input, l.output])).toEqual([
      [null, 'layers.0.pre'],
      ['layers.0', 'layers.1.pre'],
      ['layers.1', 'logits'],
    ]);
    for (const { preActivation, activation } of graph.relu) {
      expect(Array.from(tf.relu(features[preActivation]).dataSync())).toEqual(
        Array.from(features[activation].dataSync()),
      );
    }
    expect(logits.shape).toEqual([7, 3]);
  });

  it('names the parameter at fault when shapes are not an MLP', () => {
    const shapes = shapesOf(mlp.init({ input: 5, hidden: [4], classes: 3 }, 0));
    expect(() => mlp.inferConfig({ ...shapes, 'layers.1.weight': [3, 6] })).toThrow(
      /'layers\.1\.weight' takes 6 inputs but layer 0 gives 4/,
    );
    expect(() => mlp.inferConfig({ ...shapes, 'layers.0.bias': [5] })).toThrow(
      /'layers\.0\.bias' should have shape \[4\]/,
    );
    expect(() => mlp.inferConfig({ ...shapes, 'conv1.weight': [1, 1, 1, 1] })).toThrow(
      /unexpected parameter 'conv1\.weight'/,
    );
    expect(() => mlp.inferConfig({ 'fc.weight': [1, 2] })).toThrow(/no 'layers\.0\.weight'/);
  });

  it('declares one permutation group per hidden layer', () => {
    const spec = mlp.symmetry({ input: 4, hidden: [5, 6], classes: 3 });
    expect(spec.groups).toEqual({
      'hidden.0': { kind: 'permutation', size: 5 },
      'hidden.1': { kind: 'permutation', size: 6 },
    });
    expect(spec.axes['layers.1.weight']).toEqual([
      [{ group: 'hidden.1', as: 'g' }],
      [{ group: 'hidden.0', as: 'inverse' }],
    ]);
    expect(spec.axes['layers.2.bias']).toEqual([null]);
  });

  describe.each(mlp.examples.map((c) => [JSON.stringify(c), c] as const))('conformance %s', (_name, example) => {
    const subject = { plugin: mlp, config: example, seed: 3 };
    it('spec validates', () => expect(() => checkSpecValidates(subject)).not.toThrow());
    it('outputs unchanged under a random permutation', () =>
      expect(outputChangeUnderRandomElement(subject)).toBeLessThanOrEqual(1e-4));
    it('g⁻¹ undoes g exactly', () => expect(roundTripError(subject)).toBe(0));
    it('composition acts as sequence', () => expect(compositionError(subject)).toBe(0));
    it('weight matching recovers a random permutation exactly', () => {
      const result = selfMatch(subject, weightMatchingMatcher);
      expect(result.groups.length).toBe(example.hidden.length);
      expect(result.recovered).toBe(true);
      expect(result.residual).toBe(0);
    });
  });
});

describe('barrier curves through the affine stem', () => {
  it('give the points of the plain forward pass, keeping no tensor', () => {
    for (const config of [
      { input: 12, hidden: [16, 8], classes: 3 },
      { input: 12, hidden: [10], classes: 3, layerNorm: true },
    ]) {
      const [a, b] = [1, 2].map((seed) => mlp.init(config, seed));
      const rng = new Rng(4);
      const count = 300;
      const split = {
        x: Float32Array.from(rng.normalArray(count * 12)),
        y: Int32Array.from({ length: count }, () => Math.floor(rng.next() * 3)),
        count,
      };
      const data = EvaluationBatches.from(split, [12], 128);
      const before = tf.memory().numTensors;
      const fast = barrierCurve(mlp, config, a, b, data, { points: 6 });
      expect(tf.memory().numTensors).toBe(before);
      const plain = barrierCurve({ ...mlp, affineStem: undefined }, config, a, b, data, { points: 6 });
      fast.points.forEach((p, k) => {
        expect(p.loss).toBeCloseTo(plain.points[k].loss, 5);
        expect(p.accuracy).toBeCloseTo(plain.points[k].accuracy, 6);
      });
      // The points differ: the stem outputs really are mixed by t.
      expect(new Set(fast.points.map((p) => p.loss.toFixed(6))).size).toBe(6);
      data.dispose();
      disposeParams(a);
      disposeParams(b);
    }
  });
});
