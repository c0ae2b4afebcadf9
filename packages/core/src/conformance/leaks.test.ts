import * as tf from '@tensorflow/tfjs';
import { wasmBackend } from '../backend/backend-provider';
import { makeBlobs } from '../data/synthetic';
import { weightMatching } from '../matching/weight-matching';
import { barrierCurve } from '../metrics/barrier';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import { mergeMany } from '../merge/merge';
import { planAligner } from '../merge/aligner';
import { disposeParams } from '../params/params';
import { transform } from '../symmetry/transform';
import { toyPerceptron } from '../testing/fixtures/toy-models';
import { train } from '../train/train';
import { weightMatchingMatcher } from '../matching/weight-matching';

beforeAll(() => wasmBackend.activate());

describe('no tensor leaks', () => {
  it('a training epoch, alignment, an interpolation curve and a merge leave the tensor count as it was', () => {
    const config = { input: 16, hidden: [24, 20] as [number, number], classes: 4 };
    const data = makeBlobs({ classes: 4, dimension: 16, train: 512, test: 128, separation: 1, seed: 8 });
    const spec = toyPerceptron.symmetry(config);
    const start = tf.memory().numTensors;

    const [a, b] = [1, 2].map((seed) => {
      const init = toyPerceptron.init(config, seed);
      const trained = train(toyPerceptron, config, init, data.train, {
        epochs: 1,
        batchSize: 64,
        learningRate: 0.01,
        seed,
      });
      disposeParams(init);
      return trained.params;
    });
    const { element } = weightMatching(spec, a, b, { seed: 0 });
    const aligned = transform(b, spec, element);
    const batches = EvaluationBatches.from(data.test, [16], 50);
    barrierCurve(toyPerceptron, config, a, aligned, batches, { points: 5, calibration: batches });
    const merged = mergeMany(spec, planAligner(spec, [weightMatchingMatcher], 'weight'), [a, b, aligned], { seed: 0 });
    batches.dispose();
    [a, b, aligned, merged.params].forEach(disposeParams);

    expect(tf.memory().numTensors).toBe(start);
  });
});
