import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { activateBackend } from '../backend/backend-provider';
import { barrierCurve } from '../metrics/barrier';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import { disposeParams, maxAbsDifference } from '../params/params';
import { train } from '../train/train';
import { paramsFromHost, paramsToHost } from './host-params';
import { createRegistry } from '../testing/fixtures/perceptron-registry';
import { barrierCurveInThreads, trainInThreads } from './threaded';

const registrySource = {
  module: resolve(__dirname, '..', 'testing', 'fixtures', 'perceptron-registry.ts'),
  exportName: 'createRegistry',
};

// A pair trained in worker threads, and a curve split over them, against the same work in this
// thread: the threads must change nothing but the wall time.
describe('worker threads', () => {
  const config = { input: 16, hidden: [24, 24] as [number, number], classes: 4 };
  const options = { epochs: 2, batchSize: 64, learningRate: 1e-2 };

  it('train each model to the same parameters as in-process training from the same seed', async () => {
    const registry = await createRegistry();
    const backend = await activateBackend(registry.backends(), 'cpu');
    const plugin = registry.architecture('toy.perceptron');
    const data = await registry.dataset('blobs').load({});
    const inits = [5, 6].map((seed) => plugin.init(config, seed));
    const threaded = await trainInThreads(
      // The first job is given its initial parameters; the second initialises from its seed in the thread.
      inits.map((initial, k) => ({
        label: `train ${k}`,
        registry: registrySource,
        backend,
        arch: 'toy.perceptron',
        config,
        train: data.train,
        ...(k === 0 ? { initial: paramsToHost(initial) } : {}),
        options: { ...options, seed: 5 + k },
      })),
      undefined,
      2,
    );
    inits.forEach((initial, k) => {
      const here = train(plugin, config, initial, data.train, { ...options, seed: 5 + k });
      const there = paramsFromHost(threaded[k].params);
      expect(maxAbsDifference(here.params, there)).toBe(0);
      expect(threaded[k].epochLosses).toEqual(here.epochLosses);
      disposeParams(here.params);
      disposeParams(there);
      disposeParams(initial);
    });
  });

  it('split a barrier curve over 1, 2 or 3 threads into exactly the points and barriers of one thread', async () => {
    const registry = await createRegistry();
    const backend = await activateBackend(registry.backends(), 'cpu');
    const plugin = registry.architecture('toy.perceptron');
    const data = await registry.dataset('blobs').load({});
    const [a, b] = [1, 2].map((seed) => plugin.init(config, seed));
    const before = tf.memory().numTensors;
    const split = async (threads: number) =>
      barrierCurveInThreads(plugin, config, a, b, data.test, { registry: registrySource, backend, points: 7, threads });
    const curves = [await split(1), await split(2), await split(3)];
    expect(tf.memory().numTensors).toBe(before);
    const batches = EvaluationBatches.forModel(data.test, plugin, config);
    // 512 samples in batches of 100: six batches, so three threads take two each.
    expect(batches.batches.length).toBe(6);
    const here = barrierCurve(plugin, config, a, b, batches, { points: 7 });
    batches.dispose();
    for (const curve of curves) {
      expect(curve.points).toEqual(here.points.map(({ t, loss, accuracy }) => ({ t, loss, accuracy })));
      expect(curve.barriers).toEqual(here.barriers);
    }
    disposeParams(a);
    disposeParams(b);
  });
});
