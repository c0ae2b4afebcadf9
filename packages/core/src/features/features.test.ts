import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { makeBlobs } from '../data/synthetic';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import type { Params } from '../params/params';
import { Rng } from '../random/rng';
import { random } from '../symmetry/algebra';
import { transform } from '../symmetry/transform';
import { toyPerceptron, toyResidual } from '../testing/fixtures/toy-models';
import { lewc } from './lewc';
import { llfc } from './llfc';

beforeAll(() => cpuBackend.activate());

const config = { input: 16, hidden: [12, 10] as [number, number], classes: 4 };
const data = makeBlobs({ classes: 4, dimension: 16, train: 8, test: 300, separation: 1, seed: 4 });
let batches: EvaluationBatches;
beforeAll(() => {
  batches = EvaluationBatches.from(data.test, [16], 100);
});

describe('LLFC', () => {
  it('is exact for a model against itself: Dis 0, scale 1, additivity and commutativity 0', () => {
    const a = toyPerceptron.init(config, 0);
    const r = llfc(toyPerceptron, config, a, a, batches);
    expect(r.layers.map((l) => l.tap)).toEqual(['layers.0.pre', 'layers.0', 'layers.1.pre', 'layers.1', 'logits']);
    for (const layer of r.layers) {
      for (const alpha of ['0.25', '0.5', '0.75']) {
        expect(layer.dis[alpha].mean).toBeLessThan(1e-5);
        expect(layer.scale[alpha]).toBeCloseTo(1, 4);
      }
      expect(layer.baseline.mean).toBeLessThan(1e-5);
    }
    for (const w of r.weakAdditivity) expect(w.alphas['0.5'].normalisedDistance).toBeLessThan(1e-10);
    for (const c of r.commutativity) expect(c.distCom).toBeLessThan(1e-10);
  });

  it('fails for a model against a permuted copy of itself, although both compute the same function', () => {
    const a = toyPerceptron.init(config, 0);
    const spec = toyPerceptron.symmetry(config);
    const b = transform(a, spec, random(spec, new Rng(1)));
    const r = llfc(toyPerceptron, config, a, b, batches);
    const hidden = r.layers.find((l) => l.tap === 'layers.1') as (typeof r.layers)[number];
    expect(hidden.baseline.mean).toBeGreaterThan(0.05);
    expect(hidden.dis['0.5'].mean).toBeGreaterThan(0.01);
    expect(r.commutativity[1].distCom).toBeGreaterThan(0.01);
    // Same function: the logits of A and B agree, so the baseline at the output is 0.
    expect(r.layers[r.layers.length - 1].baseline.mean).toBeLessThan(1e-5);
  });

  it('holds approximately for a nearby pair and is far below the baseline of an independent pair', () => {
    const a = toyPerceptron.init(config, 0);
    const rng = new Rng(5);
    const near: Params = {};
    for (const [k, t] of Object.entries(a)) near[k] = tf.add(t, tf.tensor(rng.normalArray(t.size, 0.01), t.shape));
    const nearby = llfc(toyPerceptron, config, a, near, batches);
    const independent = llfc(toyPerceptron, config, a, toyPerceptron.init(config, 9), batches);
    const tap = (r: typeof nearby) => r.layers.find((l) => l.tap === 'layers.1') as (typeof r.layers)[number];
    expect(tap(nearby).dis['0.5'].mean).toBeLessThan(tap(independent).baseline.mean / 20);
  });

  it('names an architecture without a feature graph', () => {
    const c = toyResidual.examples[0];
    const p = toyResidual.init(c, 0);
    expect(() => llfc(toyResidual, c, p, p, batches)).toThrow(
      "architecture 'toy.residual' declares no graph of linear layers",
    );
  });
});

describe('LEWC', () => {
  /** Bias-free model that uses only inputs, hidden units and weights of one half of each layer. */
  function halfModel(seed: number, half: 0 | 1): Params {
    const base = toyPerceptron.init(config, seed);
    const widths = [config.input, ...config.hidden, config.classes];
    const out: Params = {};
    for (let i = 0; i < 3; i++) {
      const [rows, cols] = [widths[i + 1], widths[i]];
      const mask = Float32Array.from({ length: rows * cols }, (_, k) => {
        const [r, c] = [Math.floor(k / cols), k % cols];
        const rowHalf = i === 2 ? half : Number(r >= rows / 2);
        return rowHalf === half && Number(c >= cols / 2) === half ? 1 : 0;
      });
      out[`layers.${i}.weight`] = tf.mul(base[`layers.${i}.weight`], tf.tensor2d(mask, [rows, cols]));
      out[`layers.${i}.bias`] = tf.zerosLike(base[`layers.${i}.bias`]);
    }
    return out;
  }

  it('holds exactly for bias-free ReLU nets whose weights ignore each other’s features', () => {
    const a = halfModel(0, 0);
    const b = halfModel(1, 1);
    const r = lewc(toyPerceptron, config, a, b, batches, { lambdas: [0.5, 0.3] });
    expect(r.layers.map((l) => [l.tap, l.depth])).toEqual([
      ['layers.0.pre', 1],
      ['layers.0', 1],
      ['layers.1.pre', 2],
      ['layers.1', 2],
      ['logits', 3],
    ]);
    for (const layer of r.layers) {
      expect(layer.cosine['0.5'].mean).toBeGreaterThan(1 - 1e-5);
      expect(layer.cosine['0.3'].mean).toBeGreaterThan(1 - 1e-5);
    }
    for (const o of r.orthogonality.slice(1)) {
      expect(o.ratioBonA).toBeLessThan(1e-6);
      expect(o.ratioAonB).toBeLessThan(1e-6);
    }
  });

  it('does not hold for two dense nets that share their features', () => {
    const r = lewc(toyPerceptron, config, toyPerceptron.init(config, 0), toyPerceptron.init(config, 1), batches);
    expect(r.layers[r.layers.length - 1].cosine['0.5'].mean).toBeLessThan(0.99);
    expect(r.orthogonality[1].ratioBonA).toBeGreaterThan(0.1);
  });
});
