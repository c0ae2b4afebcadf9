import * as tf from '@tensorflow/tfjs';
import {
  barrierCurve,
  channelStatistics,
  disposeParams,
  EvaluationBatches,
  lerp,
  makeBlobs,
  type Params,
  repair,
  repairEndpoints,
  resetBatchNorm,
  train,
} from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import type { ResnetConfig } from './resnet-config';
import { resnet20 } from './resnet';

const config: ResnetConfig = { input: [8, 8, 1], classes: 3, width: 1, norm: 'batchnorm', depth: 8 };
const data = makeBlobs({ classes: 3, dimension: 64, train: 96, test: 48, separation: 0.5, seed: 3 });
const array = (t: tf.Tensor) => Array.from(t.dataSync());

// wasm: tfjs's cpu backend takes seconds per convolution gradient even at this size.
beforeAll(() => wasmBackend.activate());

describe('BatchNorm running statistics', () => {
  it('training tracks them with PyTorch momentum 0.1 and unbiased variance, and does not train them', () => {
    // Learning rate 0 and one full batch: every step sees the same statistics m, v, so after k
    // steps running_mean = (1 − 0.9^k)·m and running_var = 0.9^k·1 + (1 − 0.9^k)·v.
    const initial = resnet20.init(config, 1);
    const k = 3;
    const { params } = train(resnet20, config, initial, data.train, {
      epochs: k,
      batchSize: data.train.count,
      learningRate: 0,
      seed: 0,
    });
    const x = tf.tensor(data.train.x, [data.train.count, ...config.input]);
    const conv1 = resnet20
      .apply(config, initial, x, { train: true, taps: ['conv1'] })
      .features['conv1'].reshape([-1, 16]);
    const n = conv1.shape[0];
    const { mean, variance } = tf.moments(conv1, 0);
    const keep = 0.9 ** k;
    const expectedMean = array(mean).map((m) => (1 - keep) * m);
    const expectedVar = array(variance).map((v) => keep + (1 - keep) * v * (n / (n - 1)));
    array(params['bn1.running_mean']).forEach((v, c) => expect(v).toBeCloseTo(expectedMean[c], 4));
    array(params['bn1.running_var']).forEach((v, c) => expect(v).toBeCloseTo(expectedVar[c], 3));
    expect(array(params['conv1.weight'])).toEqual(array(initial['conv1.weight']));
    disposeParams(params);
  });

  it('BN reset makes evaluation mode agree with training mode on the data it was computed from', () => {
    const params = resnet20.init(config, 2);
    const batches = EvaluationBatches.from(data.train, config.input, data.train.count);
    const x = batches.batches[0].x;
    const trainMode = resnet20.apply(config, params, x, { train: true }).logits;
    const before = resnet20.apply(config, params, x).logits;
    const reset = resetBatchNorm(resnet20, config, params, batches);
    const after = resnet20.apply(config, reset, x).logits;
    const gap = (u: tf.Tensor) => tf.max(tf.abs(tf.sub(u, trainMode))).dataSync()[0];
    // Unbiased vs biased variance: they differ by a factor n/(n−1) with n = 96·64 per channel at the stem.
    expect(gap(after)).toBeLessThan(0.02 * gap(before));
    expect(array(params['bn1.running_mean']).every((v) => v === 0)).toBe(true);
    batches.dispose();
  });
});

describe('REPAIR', () => {
  function trained(seed: number, norm: ResnetConfig['norm']): Params {
    const c = { ...config, norm };
    return train(resnet20, c, resnet20.init(c, seed), data.train, {
      epochs: 2,
      batchSize: 32,
      learningRate: 0.01,
      seed,
    }).params;
  }

  it.each(['batchnorm', 'none'] as const)(
    '%s: gives each channel of the midpoint the interpolated endpoint mean and std',
    (norm) => {
      const c = { ...config, norm };
      const a = trained(1, norm);
      const b = trained(2, norm);
      const batches = EvaluationBatches.from(data.train, c.input, 48);
      const endpoints = repairEndpoints(resnet20, c, a, b, batches);
      const mid = lerp(a, b, 0.5);
      const start = norm === 'batchnorm' ? resetBatchNorm(resnet20, c, mid, batches) : mid;
      const { params, stdErrorBefore } = repair(resnet20, c, start, 0.5, endpoints, batches);
      // BatchNorm taps are set, not measured; the others start measurably off.
      if (norm === 'none') expect(stdErrorBefore).toBeGreaterThan(0.05);
      else expect(stdErrorBefore).toBe(0);
      const tolerance = 0.02;
      const taps = resnet20.featureGraph!(c).affine!.map((e) => e.tap);
      const after = channelStatistics(resnet20, c, params, batches, taps);
      for (const tap of taps) {
        after[tap].std.forEach((s, ch) => {
          const target = 0.5 * (endpoints.a[tap].std[ch] + endpoints.b[tap].std[ch]);
          expect(Math.abs(s - target)).toBeLessThan(tolerance * target + 1e-4);
        });
        after[tap].mean.forEach((m, ch) => {
          const target = 0.5 * (endpoints.a[tap].mean[ch] + endpoints.b[tap].mean[ch]);
          expect(Math.abs(m - target)).toBeLessThan(tolerance * endpoints.a[tap].std[ch] + 1e-4);
        });
      }
      batches.dispose();
    },
  );

  it('a barrier curve corrects only the models between the endpoints', () => {
    const a = trained(1, 'batchnorm');
    const b = trained(2, 'batchnorm');
    const test = EvaluationBatches.from(data.test, config.input);
    const train = EvaluationBatches.from(data.train, config.input, 48);
    const seen: number[] = [];
    const plain = barrierCurve(resnet20, config, a, b, test, { points: 5 });
    const reset = barrierCurve(resnet20, config, a, b, test, {
      points: 5,
      correct: (mixed, t) => {
        seen.push(t);
        return resetBatchNorm(resnet20, config, mixed, train);
      },
    });
    expect(seen).toEqual([0.25, 0.5, 0.75]);
    expect(reset.points[0]).toEqual(plain.points[0]);
    expect(reset.points[4]).toEqual(plain.points[4]);
    // Interpolated running statistics describe neither endpoint: recomputing them lowers the midpoint's loss.
    expect(reset.points[2].loss).toBeLessThan(plain.points[2].loss);
    test.dispose();
    train.dispose();
  });
});
