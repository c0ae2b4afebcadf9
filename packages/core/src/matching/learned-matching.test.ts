import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { makeBlobs } from '../data/synthetic';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import { evaluate } from '../metrics/evaluate';
import { lerp } from '../metrics/interpolate';
import { disposeParams, type Params } from '../params/params';
import { transform } from '../symmetry/transform';
import { identityMatrix, maxAbsDiff, multiply, transpose } from '../symmetry/dense-matrix';
import { logitsDifference } from '../conformance/conformance';
import { toyResidual } from '../testing/fixtures/toy-models';
import { train } from '../train/train';
import { learnedMatching, transformByMatrices } from './learned-matching';
import { permutationMatrix } from './matrix-steps';
import type { SymmetrySpec } from '../symmetry/spec';
import { weightMatching } from './weight-matching';

beforeAll(() => cpuBackend.activate());

describe('learned matching', () => {
  const config = { input: 16, width: 12, hidden: 24, classes: 4 };
  const spec = toyResidual.symmetry(config);
  const data = makeBlobs({ classes: 4, dimension: 16, train: 1024, test: 512, separation: 1.5, seed: 3 });
  const trained = (seed: number): Params =>
    train(toyResidual, config, toyResidual.init(config, seed), data.train, {
      epochs: 8,
      batchSize: 64,
      learningRate: 0.01,
      seed,
    }).params;

  it('keeps B’s function and lowers the midpoint training loss below weight matching’s', () => {
    const [a, b] = [trained(1), trained(2)];
    const context = {
      seed: 0,
      data: { plugin: toyResidual, config, train: data.train, samples: 1024, batchSize: 64, steps: 150 },
    };
    const learned = learnedMatching(spec, a, b, context);
    const matched = weightMatching(spec, a, b, { seed: 0 });
    const stream = learned.element.stream;
    if (stream.kind !== 'matrix') throw new Error('the stream is orthogonal');
    expect(maxAbsDiff(multiply(transpose(stream.matrix), stream.matrix), identityMatrix(12))).toBeLessThan(1e-10);
    const moved = transform(b, spec, learned.element);
    expect(logitsDifference({ plugin: toyResidual, config }, b, moved)).toBeLessThan(1e-3);
    const batches = EvaluationBatches.from(data.train, [16]);
    const midpoint = (element: typeof learned.element) => {
      const aligned = transform(b, spec, element);
      const mid = lerp(a, aligned, 0.5);
      const { loss } = evaluate(toyResidual, config, mid, batches);
      [aligned, mid].forEach(disposeParams);
      return loss;
    };
    const [afterWeight, afterLearned] = [midpoint(matched.element), midpoint(learned.element)];
    expect(afterLearned).toBeLessThan(afterWeight - 0.01);
    batches.dispose();
    [a, b, moved].forEach(disposeParams);
    expect(tf.memory().numTensors).toBeLessThan(200);
  });
});

describe('transformByMatrices', () => {
  it('moves a block permutation on axes of one entry per block and of blockSize entries per block, as transform does', () => {
    // Heads of two entries each on q's rows, and one entry per head on a per-head gain.
    const spec: SymmetrySpec = {
      groups: { heads: { kind: 'block-permutation', size: 3, blockSize: 2 } },
      axes: { q: [[{ group: 'heads', as: 'g' }], null], gain: [[{ group: 'heads', as: 'g' }]] },
    };
    const params = {
      q: tf.tensor2d(
        Array.from({ length: 24 }, (_, i) => i),
        [6, 4],
      ),
      gain: tf.tensor1d([1, 2, 3]),
    };
    const perm = Int32Array.from([2, 0, 1]);
    const matrix = tf.tensor2d(Float32Array.from(permutationMatrix(perm).data), [3, 3]);
    const moved = transformByMatrices(params, spec, { heads: matrix });
    const expected = transform(params, spec, { heads: { kind: 'permutation', perm } });
    for (const name of ['q', 'gain'])
      expect(Array.from(moved[name].dataSync())).toEqual(Array.from(expected[name].dataSync()));
  });
});
