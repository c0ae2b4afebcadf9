import * as tf from '@tensorflow/tfjs';
import { cpuBackend, wasmBackend } from '../backend/backend-provider';
import { makeBlobs } from '../data/synthetic';
import { crossEntropy, evaluate } from '../metrics/evaluate';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import { toyPerceptron } from '../testing/fixtures/toy-models';
import { train } from './train';

beforeAll(() => cpuBackend.activate());

const config = { input: 16, hidden: [16, 16] as [number, number], classes: 4 };
const data = makeBlobs({ classes: 4, dimension: 16, train: 512, test: 256, separation: 0.6, seed: 2 });

describe('train', () => {
  it('lowers the loss with Adam and SGD, and is reproducible from its seeds', () => {
    for (const optimizer of ['adam', 'sgd'] as const) {
      const run = () =>
        train(toyPerceptron, config, toyPerceptron.init(config, 0), data.train, {
          epochs: 8,
          batchSize: 64,
          learningRate: optimizer === 'adam' ? 0.01 : 0.05,
          seed: 1,
          optimizer,
        });
      const first = run();
      expect(first.epochLosses[first.epochLosses.length - 1]).toBeLessThan(first.epochLosses[0] * 0.7);
      const second = run();
      expect(Array.from(second.params['layers.0.weight'].dataSync())).toEqual(
        Array.from(first.params['layers.0.weight'].dataSync()),
      );
    }
  });

  it('weight decay shrinks the weights', () => {
    const norm = (wd: number) => {
      const { params } = train(toyPerceptron, config, toyPerceptron.init(config, 0), data.train, {
        epochs: 5,
        batchSize: 64,
        learningRate: 0.05,
        seed: 1,
        optimizer: 'sgd',
        weightDecay: wd,
      });
      return tf.sum(tf.square(params['layers.1.weight'])).dataSync()[0];
    };
    expect(norm(0.05)).toBeLessThan(norm(0) * 0.9);
  });

  it.each([cpuBackend, wasmBackend])(
    'AdamW follows PyTorch on $id: gradient at θ, then θ·(1 − lr·wd), then the Adam update (two full-batch steps)',
    async (backend) => {
      await backend.activate();
      const [lr, wd, beta1, beta2, eps] = [0.01, 0.5, 0.9, 0.999, 1e-8];
      const initial = toyPerceptron.init(config, 0);
      const trained = train(toyPerceptron, config, initial, data.train, {
        epochs: 2,
        batchSize: data.train.count,
        learningRate: lr,
        seed: 1,
        optimizer: 'adamw',
        weightDecay: wd,
      }).params;
      // The same two steps written out in float64 from PyTorch's AdamW algorithm, with tfjs only
      // computing each step's gradient of the mean cross-entropy over the whole training set.
      const names = Object.keys(initial);
      const x = tf.tensor2d(data.train.x, [data.train.count, config.input]);
      const y = tf.tensor1d(data.train.y, 'int32');
      const gradientAt = (theta: Record<string, number[]>): Record<string, number[]> => {
        const tensors = names.map((n) => tf.tensor(theta[n], initial[n].shape));
        const grads = tf.grads((...ts: tf.Tensor[]) =>
          crossEntropy(toyPerceptron.apply(config, Object.fromEntries(names.map((n, i) => [n, ts[i]])), x).logits, y),
        )(tensors);
        return Object.fromEntries(names.map((n, i) => [n, Array.from(grads[i].dataSync())]));
      };
      let theta = Object.fromEntries(names.map((n) => [n, Array.from(initial[n].dataSync())]));
      const m = Object.fromEntries(names.map((n) => [n, theta[n].map(() => 0)]));
      const v = Object.fromEntries(names.map((n) => [n, theta[n].map(() => 0)]));
      for (let t = 1; t <= 2; t++) {
        const g = gradientAt(theta);
        theta = Object.fromEntries(
          names.map((n) => [
            n,
            theta[n].map((p, i) => {
              const decayed = p * (1 - lr * wd);
              m[n][i] = beta1 * m[n][i] + (1 - beta1) * g[n][i];
              v[n][i] = beta2 * v[n][i] + (1 - beta2) * g[n][i] ** 2;
              const mHat = m[n][i] / (1 - beta1 ** t);
              const vHat = v[n][i] / (1 - beta2 ** t);
              return decayed - (lr * mHat) / (Math.sqrt(vHat) + eps);
            }),
          ]),
        );
      }
      for (const n of names)
        Array.from(trained[n].dataSync()).forEach((p, i) => expect(Math.abs(p - theta[n][i])).toBeLessThan(2e-6));
      // Decaying after the update instead would differ by lr²·wd·|update| ≈ 5e-5 per step: far above the tolerance.
      await cpuBackend.activate();
    },
  );

  it('leaves its input untouched, so training can continue from a checkpoint', () => {
    const initial = toyPerceptron.init(config, 0);
    const before = Array.from(initial['layers.0.weight'].dataSync());
    const parent = train(toyPerceptron, config, initial, data.train, {
      epochs: 2,
      batchSize: 64,
      learningRate: 0.01,
      seed: 1,
    });
    expect(Array.from(initial['layers.0.weight'].dataSync())).toEqual(before);
    const childA = train(toyPerceptron, config, parent.params, data.train, {
      epochs: 2,
      batchSize: 64,
      learningRate: 0.01,
      seed: 2,
    });
    const childB = train(toyPerceptron, config, parent.params, data.train, {
      epochs: 2,
      batchSize: 64,
      learningRate: 0.01,
      seed: 3,
    });
    expect(Array.from(childA.params['layers.0.weight'].dataSync())).not.toEqual(
      Array.from(childB.params['layers.0.weight'].dataSync()),
    );
    const test = EvaluationBatches.from(data.test, [16]);
    expect(evaluate(toyPerceptron, config, childA.params, test).accuracy).toBeGreaterThan(0.5);
    test.dispose();
  });
});
