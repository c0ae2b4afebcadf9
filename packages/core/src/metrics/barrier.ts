import { disposeParams, type Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import type { ProgressSink } from '../progress/progress';
import { type BatchSums, collectLogits, evaluate, evaluationReads } from './evaluate';
import { type HostReads, readAsynchronously, readSynchronously } from '../params/host-reads';
import { fitInverseTemperature } from './temperature';
import type { EvaluationBatches } from './evaluation-batches';
import { lerp } from './interpolate';
import { EndpointStems } from './endpoint-stems';

/**
 * One point of a barrier curve: t, the test loss and accuracy there (and, when calibrated, the
 * inverse temperature and calibrated loss).
 */
export interface CurvePoint {
  t: number;
  loss: number;
  accuracy: number;
  /** With calibration: the fitted inverse temperature and the test loss of softmax(β·logits). */
  beta?: number;
  calibratedLoss?: number;
  /** With `batchSums`: the per-batch sums behind loss and accuracy (to put a split curve back together exactly). */
  batches?: BatchSums;
}

/**
 * The loss and accuracy barriers of a curve: the largest gap to the straight line between the
 * endpoints, and the gap at t = ½.
 */
export interface Barriers {
  /** max over t of L(θ_t) − [(1−t)L(θ_A) + tL(θ_B)]. */
  loss: number;
  /** max over t of [(1−t)acc_A + t·acc_B] − acc(θ_t), in accuracy units (0–1). */
  accuracy: number;
  /** The same two at t = 0.5 only (when the grid contains it). */
  midpointLoss: number | null;
  midpointAccuracy: number | null;
  /** The loss barriers of the temperature-calibrated losses, when every point has one. */
  calibratedLoss?: number;
  midpointCalibratedLoss?: number | null;
}

/**
 * Loss and accuracy at evenly spaced points of the line from A (t = 0) to B (t = 1), and the
 * barriers of that curve.
 */
export interface BarrierCurve {
  points: CurvePoint[];
  barriers: Barriers;
}

/** K evenly spaced interpolation weights from 0 to 1 inclusive. */
export function interpolationGrid(points: number): number[] {
  if (!Number.isInteger(points) || points < 2) throw new Error(`points must be an integer ≥ 2, got ${points}`);
  return Array.from({ length: points }, (_, k) => k / (points - 1));
}

/** Barriers of a curve whose first point is t = 0 and last t = 1. */
export function barriersOf(points: readonly CurvePoint[]): Barriers {
  const first = points[0];
  const last = points[points.length - 1];
  let loss = -Infinity;
  let accuracy = -Infinity;
  let midpointLoss: number | null = null;
  let midpointAccuracy: number | null = null;
  for (const p of points) {
    const lossGap = p.loss - ((1 - p.t) * first.loss + p.t * last.loss);
    const accGap = (1 - p.t) * first.accuracy + p.t * last.accuracy - p.accuracy;
    loss = Math.max(loss, lossGap);
    accuracy = Math.max(accuracy, accGap);
    if (Math.abs(p.t - 0.5) < 1e-12) {
      midpointLoss = lossGap;
      midpointAccuracy = accGap;
    }
  }
  const barriers: Barriers = { loss, accuracy, midpointLoss, midpointAccuracy };
  if (points.every((p) => p.calibratedLoss !== undefined)) {
    const cal = points.map((p) => ({ t: p.t, loss: p.calibratedLoss as number, accuracy: p.accuracy }));
    const calibrated = barriersOf(cal);
    barriers.calibratedLoss = calibrated.loss;
    barriers.midpointCalibratedLoss = calibrated.midpointLoss;
  }
  return barriers;
}

/**
 * How to evaluate a barrier curve: the number of points, progress, an optional correction of each
 * model and temperature calibration.
 */
export interface CurveOptions {
  points?: number;
  progress?: ProgressSink;
  task?: string;
  calibration?: EvaluationBatches;
  /** Applied to each interior model before it is evaluated (BN reset, REPAIR); returns new parameters. */
  correct?: (mixed: Params, t: number) => Params;
  /** Keep each point's per-batch sums (`CurvePoint.batches`). */
  batchSums?: boolean;
}

/**
 * Evaluates θ_t = (1−t)A + tB on `data` at `points` evenly spaced t (default 25) and returns the
 * curve with its barriers. With `calibration` data, each point also fits one inverse temperature
 * on that data (minimal cross-entropy) and reports the test loss at it. With `correct`, every
 * model strictly between the endpoints is corrected first (the endpoints are the trained models).
 *
 * @param plugin the architecture of both models
 * @param config its config
 * @param a the model at t = 0
 * @param b the model at t = 1 (aligned to A or not)
 * @param data the batches each point is evaluated on (the test split)
 * @param options the number of points (default 25), progress, a correction of each model between the endpoints, calibration data
 * @returns every point's loss and accuracy, and the barriers of the curve
 * @example
 * ```ts
 * import { barrierCurve, EvaluationBatches, makeBlobs, toyPerceptron, train, weightMatching, transform } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 128, separation: 2, seed: 0 });
 * const opts = { epochs: 2, batchSize: 32, learningRate: 0.01 };
 * const [a, b] = [0, 1].map((seed) => train(toyPerceptron, config, toyPerceptron.init(config, seed), data.train, { ...opts, seed }).params);
 * const spec = toyPerceptron.symmetry(config);
 * const aligned = transform(b, spec, weightMatching(spec, a, b, { seed: 0 }).element);
 * const test = EvaluationBatches.forModel(data.test, toyPerceptron, config);
 * console.log(barrierCurve(toyPerceptron, config, a, b, test, { points: 11 }).barriers.loss); // naive
 * console.log(barrierCurve(toyPerceptron, config, a, aligned, test, { points: 11 }).barriers.loss); // lower
 * ```
 */
export function barrierCurve(
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  data: EvaluationBatches,
  options: CurveOptions = {},
): BarrierCurve {
  const points = curvePoints(plugin, config, a, b, data, interpolationGrid(options.points ?? 25), options);
  return { points, barriers: barriersOf(points) };
}

/** The arguments of `curvePoints`: the pair, the evaluation data, the t to evaluate at, options. */
export type CurveArguments = [
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  data: EvaluationBatches,
  ts: readonly number[],
  options?: Omit<CurveOptions, 'points'>,
];

/**
 * The points of `barrierCurve` at the given t only, in that order: to split one curve over
 * several threads (`barriersOf` of the points put together gives the same barriers).
 */
export function curvePoints(...args: CurveArguments): CurvePoint[] {
  return readSynchronously(curveReads(...args));
}

/**
 * `curvePoints` reading asynchronously, for backends without synchronous reads (webgpu); not
 * with `calibration`, whose temperature fit reads synchronously.
 */
export function curvePointsAsync(...args: CurveArguments): Promise<CurvePoint[]> {
  return readAsynchronously(curveReads(...args));
}

function* curveReads(...[plugin, config, a, b, data, ts, options = {}]: CurveArguments): HostReads<CurvePoint[]> {
  // Without corrections, an affine stem is computed once per endpoint (see AffineStem).
  const stems =
    plugin.affineStem && !options.correct ? new EndpointStems(plugin.affineStem, config, a, b, data) : undefined;
  const points: CurvePoint[] = [];
  try {
    for (const [k, t] of ts.entries()) {
      const lerped = lerp(a, b, t);
      const mixed = options.correct && t > 0 && t < 1 ? options.correct(lerped, t) : lerped;
      if (mixed !== lerped) disposeParams(lerped);
      try {
        const { loss, accuracy, batches } = yield* stems
          ? stems.evaluationAt(mixed, t)
          : evaluationReads(data, (x) => plugin.apply(config, mixed, x).logits);
        const point: CurvePoint = { t, loss, accuracy, ...(options.batchSums ? { batches } : {}) };
        if (options.calibration) {
          const held = collectLogits(plugin, config, mixed, options.calibration);
          point.beta = fitInverseTemperature(held.logits, held.labels, held.classes).beta;
          point.calibratedLoss = evaluate(plugin, config, mixed, data, point.beta).loss;
        }
        options.progress?.({
          task: options.task ?? 'interpolate',
          done: k + 1,
          total: ts.length,
          info: `t=${t.toFixed(2)} loss=${loss.toFixed(3)}`,
        });
        points.push(point);
      } finally {
        disposeParams(mixed);
      }
    }
    return points;
  } finally {
    stems?.dispose();
  }
}
