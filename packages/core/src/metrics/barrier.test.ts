import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { makeBlobs } from '../data/synthetic';
import { toyResidual } from '../testing/fixtures/toy-models';
import { barrierCurve, barriersOf, interpolationGrid } from './barrier';
import { evaluate } from './evaluate';
import { EvaluationBatches } from './evaluation-batches';
import { lerp } from './interpolate';

beforeAll(() => cpuBackend.activate());

describe('barriers', () => {
  it('measure the largest gap above the chord, and the midpoint gap', () => {
    const points = [
      { t: 0, loss: 1, accuracy: 0.9 },
      { t: 0.25, loss: 2, accuracy: 0.7 },
      { t: 0.5, loss: 3.5, accuracy: 0.5 },
      { t: 0.75, loss: 1.6, accuracy: 0.8 },
      { t: 1, loss: 2, accuracy: 0.8 },
    ];
    const b = barriersOf(points);
    expect(b.loss).toBeCloseTo(3.5 - 1.5, 12);
    expect(b.midpointLoss).toBeCloseTo(2, 12);
    expect(b.accuracy).toBeCloseTo(0.85 - 0.5, 12);
    expect(b.midpointAccuracy).toBeCloseTo(0.35, 12);
  });

  it('is zero on a straight line and negative for a convex dip', () => {
    const line = interpolationGrid(5).map((t) => ({ t, loss: 1 + t, accuracy: 0.9 - 0.1 * t }));
    expect(barriersOf(line).loss).toBeCloseTo(0, 12);
    expect(barriersOf(line).accuracy).toBeCloseTo(0, 12);
    const dip = interpolationGrid(5).map((t) => ({ t, loss: 1 - t * (1 - t), accuracy: 0.9 }));
    expect(barriersOf(dip).loss).toBeCloseTo(0, 12);
    expect(barriersOf(dip).midpointLoss).toBeCloseTo(-0.25, 12);
  });

  it('grid has K evenly spaced points with both ends', () => {
    expect(interpolationGrid(25)).toHaveLength(25);
    expect(interpolationGrid(25)[12]).toBe(0.5);
    expect(() => interpolationGrid(1)).toThrow(/points must be an integer ≥ 2/);
  });
});

describe('lerp and the curve', () => {
  const config = { input: 16, width: 6, hidden: 7, classes: 4 };
  const data = makeBlobs({ classes: 4, dimension: 16, train: 8, test: 64, separation: 1, seed: 1 });

  it('lerp hits the endpoints and the midpoint average', () => {
    const a = toyResidual.init(config, 0);
    const b = toyResidual.init(config, 1);
    const mid = lerp(a, b, 0.5);
    const w = 'block.in.weight';
    const expected = tf.div(tf.add(a[w], b[w]), 2).dataSync();
    Array.from(mid[w].dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(Array.from(lerp(a, b, 0)[w].dataSync())).toEqual(Array.from(a[w].dataSync()));
    expect(Array.from(lerp(a, b, 1)[w].dataSync())).toEqual(Array.from(b[w].dataSync()));
  });

  it('evaluates every point, matching a direct evaluation at the ends, without leaking tensors', () => {
    const a = toyResidual.init(config, 0);
    const b = toyResidual.init(config, 1);
    const batches = EvaluationBatches.from(data.test, [16], 20);
    const before = tf.memory().numTensors;
    const curve = barrierCurve(toyResidual, config, a, b, batches, { points: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(curve.points.map((p) => p.t)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const atA = evaluate(toyResidual, config, a, batches);
    expect(curve.points[0].loss).toBeCloseTo(atA.loss, 5);
    expect(curve.points[0].accuracy).toBe(atA.accuracy);
    expect(curve.barriers).toEqual(barriersOf(curve.points));
    // What results files receive: the figures only, no per-batch sums unless asked for.
    expect(Object.keys(atA).sort()).toEqual(['accuracy', 'loss']);
    expect(Object.keys(curve.points[1]).sort()).toEqual(['accuracy', 'loss', 't']);
    const withSums = barrierCurve(toyResidual, config, a, b, batches, { points: 5, batchSums: true });
    expect(withSums.points[1].batches?.loss).toHaveLength(batches.batches.length);
    batches.dispose();
  });
});
