import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { makeBlobs } from '../data/synthetic';
import { evaluate } from '../metrics/evaluate';
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
