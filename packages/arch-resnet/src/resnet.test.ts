import * as tf from '@tensorflow/tfjs';
import {
  cpuBackend,
  disposeParams,
  outputChangeUnderRandomElement,
  type Params,
  Rng,
  shapesOf,
  transform,
  random,
  validateAgainst,
} from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import type { ResnetConfig } from './resnet-config';
import { imageShape, resnet20 } from './resnet';
import { archResnetModule } from './resnet-module';
import { Registry } from '@weightspace/core';

const small: ResnetConfig = { input: [8, 8, 1], classes: 3, width: 1, norm: 'batchnorm', depth: 8 };

function images(config: ResnetConfig, n: number, seed = 1): tf.Tensor4D {
  const size = config.input.reduce((a, b) => a * b, 1);
  return tf.tensor4d(new Rng(seed).normalArray(n * size), [n, ...config.input]);
}

/** Running statistics moved off 0 / 1, so that eval-mode BatchNorm does something to check. */
function withRunningStats(params: Params): Params {
  const rng = new Rng(5);
  const out: Params = { ...params };
  for (const name of Object.keys(params)) {
    const n = params[name].size;
    if (name.endsWith('running_mean')) out[name] = tf.tensor1d(rng.normalArray(n, 0.3));
    if (name.endsWith('running_var')) out[name] = tf.tensor1d(rng.uniformArray(n, 0.5, 2));
  }
  return out;
}

beforeAll(() => cpuBackend.activate());

describe('resnet20', () => {
  it('registers through its module', async () => {
    const registry = await Registry.fromModules([archResnetModule]);
    expect(registry.architectures().map((a) => a.id)).toEqual(['resnet20']);
  });

  it('has torchvision names and shapes: 19 convs, 2 shortcuts and fc at depth 20', () => {
    const params = resnet20.init({ input: [28, 28, 1], classes: 10, width: 2, norm: 'batchnorm' }, 0);
    const shapes = shapesOf(params);
    expect(shapes['conv1.weight']).toEqual([32, 1, 3, 3]);
    expect(shapes['layer1.2.bn2.running_var']).toEqual([32]);
    expect(shapes['layer2.0.downsample.0.weight']).toEqual([64, 32, 1, 1]);
    expect(shapes['layer3.2.conv2.weight']).toEqual([128, 128, 3, 3]);
    expect(shapes['fc.weight']).toEqual([10, 128]);
    expect(
      Object.keys(shapes).filter(
        (n) => n.endsWith('conv1.weight') || n.endsWith('conv2.weight') || n.endsWith('downsample.0.weight'),
      ),
    ).toHaveLength(21);
    expect('layer1.0.downsample.0.weight' in shapes).toBe(false);
    disposeParams(params);
  });

  it('halves the resolution in stages 2 and 3 as PyTorch pads (28 → 14 → 7) and pools to 64·width features', () => {
    const config: ResnetConfig = { input: [28, 28, 1], classes: 10, width: 1, norm: 'none', depth: 8 };
    const params = resnet20.init(config, 0);
    const { logits, features } = resnet20.apply(config, params, images(config, 2));
    expect(features['layer1.0'].shape).toEqual([2, 28, 28, 16]);
    expect(features['layer2.0'].shape).toEqual([2, 14, 14, 32]);
    expect(features['layer3.0'].shape).toEqual([2, 7, 7, 64]);
    expect(features['pool'].shape).toEqual([2, 64]);
    expect(logits.shape).toEqual([2, 10]);
    const strided = resnet20.apply({ ...config, stemStride: 2 }, params, images(config, 2)).features;
    expect(strided['stem'].shape).toEqual([2, 14, 14, 16]);
    expect(strided['layer3.0'].shape).toEqual([2, 4, 4, 64]);
  });

  it('BatchNorm uses batch statistics in training and running statistics otherwise', () => {
    const params = withRunningStats(resnet20.init(small, 3));
    const x = images(small, 16);
    const trained = resnet20.apply(small, params, x, { train: true, taps: ['bn1'] }).features['bn1'];
    const { mean, variance } = tf.moments(trained, [0, 1, 2]);
    // γ = 1, β = 0: batch-normalised channels have mean 0 and variance ≈ 1 (up to ε).
    expect(tf.max(tf.abs(mean)).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(variance, 1))).dataSync()[0]).toBeLessThan(1e-2);
    const conv1 = resnet20.apply(small, params, x, { taps: ['conv1'] }).features['conv1'];
    const evaluated = resnet20.apply(small, params, x, { taps: ['bn1'] }).features['bn1'];
    const expected = tf.div(
      tf.sub(conv1, params['bn1.running_mean']),
      tf.sqrt(tf.add(params['bn1.running_var'], 1e-5)),
    );
    expect(tf.max(tf.abs(tf.sub(evaluated, expected))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('LayerNorm normalises each sample over height, width and channels', () => {
    const config: ResnetConfig = { ...small, norm: 'layernorm' };
    const params = resnet20.init(config, 2);
    const out = resnet20.apply(config, params, images(config, 3), { taps: ['bn1'] }).features['bn1'];
    const { mean, variance } = tf.moments(out, [1, 2, 3]);
    expect(tf.max(tf.abs(mean)).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(variance, 1))).dataSync()[0]).toBeLessThan(1e-2);
  });

  it.each(['batchnorm', 'layernorm', 'none'] as const)(
    '%s: outputs unchanged under a random permutation, running statistics included',
    (norm) => {
      const config: ResnetConfig = { ...small, norm, depth: 14 };
      const params = withRunningStats(resnet20.init(config, 4));
      const spec = resnet20.symmetry(config);
      const moved = transform(params, spec, random(spec, new Rng(9)));
      const x = images(config, 4);
      const ya = resnet20.apply(config, params, x).logits;
      const yb = resnet20.apply(config, moved, x).logits;
      expect(tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0]).toBeLessThan(1e-4);
      expect(outputChangeUnderRandomElement({ plugin: resnet20, config, seed: 3 })).toBeLessThan(1e-4);
      // The permutation does move the parameters: the check above is not vacuous.
      expect(
        tf.max(tf.abs(tf.sub(params['layer1.0.conv1.weight'], moved['layer1.0.conv1.weight']))).dataSync()[0],
      ).toBeGreaterThan(0.01);
    },
  );

  it('infers width, depth and norm from checkpoint shapes and names a stray parameter', () => {
    for (const norm of ['batchnorm', 'layernorm', 'none'] as const) {
      const config: ResnetConfig = { input: [28, 28, 1], classes: 10, width: 2, norm, depth: 14 };
      expect(resnet20.inferConfig(shapesOf(resnet20.init(config, 0)))).toEqual(config);
    }
    const shapes = { ...shapesOf(resnet20.init(small, 0)), 'bn1.num_batches_tracked': [] };
    expect(() => resnet20.inferConfig(shapes)).toThrow(/unexpected parameter 'bn1.num_batches_tracked'/);
    const { ['layer2.0.downsample.1.bias']: _dropped, ...missing } = shapesOf(resnet20.init(small, 0));
    expect(() => resnet20.inferConfig(missing)).toThrow(/'layer2.0.downsample.1.bias' is missing/);
    expect(() => resnet20.inferConfig({ 'layers.0.weight': [4, 3] })).toThrow(/not a ResNet/);
  });

  it('rejects a depth that is not 6n + 2, naming it', () => {
    expect(() => resnet20.init({ ...small, depth: 10 }, 0)).toThrow(/depth 10 is not 6n \+ 2/);
  });

  it('trains on wasm: the convolution gradients run there and match cpu', async () => {
    const config: ResnetConfig = { ...small, norm: 'batchnorm' };
    const gradient = () => {
      const params = resnet20.init(config, 1);
      const x = images(config, 4);
      const names = ['conv1.weight', 'layer2.0.conv1.weight', 'layer2.0.downsample.0.weight'];
      const grads = tf.grads((...ws: tf.Tensor[]) => {
        const moved = { ...params, ...Object.fromEntries(names.map((n, i) => [n, ws[i]])) };
        return tf.sum(tf.square(resnet20.apply(config, moved, x, { train: true }).logits));
      })(names.map((n) => params[n]));
      return grads.map((g) => Array.from(g.dataSync()));
    };
    const onCpu = gradient();
    await wasmBackend.activate();
    try {
      const onWasm = gradient();
      onWasm.forEach((g, k) =>
        g.forEach((v, i) => expect(Math.abs(v - onCpu[k][i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(onCpu[k][i])))),
      );
    } finally {
      await cpuBackend.activate();
    }
  });

  it('guesses image shapes for flat datasets', () => {
    expect(imageShape([784])).toEqual([28, 28, 1]);
    expect(imageShape([3072])).toEqual([32, 32, 3]);
    expect(imageShape([32, 32, 3])).toEqual([32, 32, 3]);
    expect(() => imageShape([10])).toThrow(/not square images/);
  });
});

describe('resnet20 config schema', () => {
  it('accepts every example and one-channel 28×28 images, and rejects a 2-pixel image', () => {
    for (const config of [...resnet20.examples, { input: [28, 28, 1], classes: 10, width: 4, norm: 'batchnorm' }]) {
      expect(() => validateAgainst(resnet20.configSchema, config, 'config')).not.toThrow();
    }
    expect(() =>
      validateAgainst(resnet20.configSchema, { input: [2, 28, 1], classes: 10, width: 1, norm: 'none' }, 'config'),
    ).toThrow(/input\/0/);
  });
});
