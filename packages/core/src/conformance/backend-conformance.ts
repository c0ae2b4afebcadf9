import * as tf from '@tensorflow/tfjs';
import { makeBlobs } from '../data/synthetic';
import { weightMatching, weightMatchingMatcher } from '../matching/weight-matching';
import { fusedKernelFailures } from './fused-kernel-conformance';
import { barrierCurve } from '../metrics/barrier';
import { crossEntropy } from '../metrics/evaluate';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import { planAligner } from '../merge/aligner';
import { mergeMany } from '../merge/merge';
import { disposeParams } from '../params/params';
import { Rng } from '../random/rng';
import { transform } from '../symmetry/transform';
import { toyPerceptron } from '../testing/fixtures/toy-models';
import { Adam } from '../train/adam';
import { train } from '../train/train';

/**
 * What every tensor backend that reads synchronously must get right, as plain checks on the active
 * backend that return what they measured (like the architecture conformance suite): core's tests
 * run them on `cpu`, the CLI's on every registered backend, so a backend package's replacement
 * kernels answer to the same references as tfjs's own.
 */

const config = { input: 16, hidden: [24, 20] as [number, number], classes: 4 };

/**
 * Tensors left behind by a training epoch, weight matching, an interpolation curve with
 * calibration and a merge of three models, all disposed of afterwards: 0 when nothing leaks.
 */
export function tensorsLeakedByPipeline(): number {
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
  return tf.memory().numTensors - start;
}

/** Five steps of an optimizer on a least-squares problem (sizes not multiples of 4): the parameters after each. */
function trajectory(step: (objective: () => tf.Scalar, variables: tf.Variable[]) => void): number[][] {
  const rng = new Rng(3);
  const [w, b] = tf.tidy(() => [
    tf.variable(tf.tensor2d(rng.normalArray(7 * 5), [7, 5])),
    tf.variable(tf.tensor1d(rng.normalArray(5))),
  ]);
  const x = tf.tensor2d(rng.normalArray(9 * 7), [9, 7]);
  const y = tf.tensor2d(rng.normalArray(9 * 5), [9, 5]);
  const out: number[][] = [];
  for (let k = 0; k < 5; k++) {
    step(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))), [w, b]);
    out.push([...w.dataSync(), ...b.dataSync()]);
  }
  tf.dispose([w, b, x, y]);
  return out;
}

/**
 * How closely a backend's fused Adam step follows tfjs's reference optimiser (see
 * `backendConformanceFailures`).
 */
export interface AdamAgreement {
  /** Largest |ours − tfjs's| over five steps' parameters. */
  deviation: number;
  /** How far the first parameter moved over the steps (the comparison is not of two copies of the start). */
  moved: number;
  /** Tensors our optimizer left behind after dispose. */
  leaked: number;
}

/** weightspace's `Adam` (fused where the backend registered ADAM_STEP) against tfjs's Adam, five steps. */
export function adamAgainstTfjs(): AdamAgreement {
  const reference = tf.train.adam(0.05);
  const expected = trajectory((f, vars) => tf.dispose(reference.minimize(f, true, vars) ?? undefined));
  reference.dispose();
  const ours = new Adam(0.05);
  const before = tf.memory().numTensors;
  const actual = trajectory((f, vars) => tf.dispose(ours.minimize(f, vars)));
  ours.dispose();
  const leaked = tf.memory().numTensors - before;
  const deviation = Math.max(...actual.flatMap((params, k) => params.map((p, i) => Math.abs(p - expected[k][i]))));
  return { deviation, moved: Math.abs(actual[4][0] - actual[0][0]), leaked };
}

/**
 * Largest |θ − θ*| after two full-batch AdamW steps of `train` on the toy perceptron, where θ* is
 * PyTorch's AdamW written out in float64 (gradient at θ, then θ·(1 − lr·wd), then the Adam update),
 * with tfjs only computing each step's gradient of the mean cross-entropy.
 */
export function adamWAgainstPyTorch(): number {
  const [lr, wd, beta1, beta2, eps] = [0.01, 0.5, 0.9, 0.999, 1e-8];
  const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 8, separation: 0.6, seed: 2 });
  const initial = toyPerceptron.init(config, 0);
  const options = { epochs: 2, batchSize: data.train.count, learningRate: lr, seed: 1, weightDecay: wd };
  const trained = train(toyPerceptron, config, initial, data.train, { ...options, optimizer: 'adamw' }).params;
  const names = Object.keys(initial);
  const x = tf.tensor2d(data.train.x, [data.train.count, config.input]);
  const y = tf.tensor1d(data.train.y, 'int32');
  const gradientAt = (theta: Record<string, number[]>): Record<string, number[]> =>
    tf.tidy(() => {
      const tensors = names.map((n) => tf.tensor(theta[n], initial[n].shape));
      const loss = (...ts: tf.Tensor[]) =>
        crossEntropy(toyPerceptron.apply(config, Object.fromEntries(names.map((n, i) => [n, ts[i]])), x).logits, y);
      const grads = tf.grads(loss)(tensors);
      return Object.fromEntries(names.map((n, i) => [n, Array.from(grads[i].dataSync())]));
    });
  let theta = Object.fromEntries(names.map((n) => [n, Array.from(initial[n].dataSync())]));
  const m = Object.fromEntries(names.map((n) => [n, theta[n].map(() => 0)]));
  const v = Object.fromEntries(names.map((n) => [n, theta[n].map(() => 0)]));
  for (let t = 1; t <= 2; t++) {
    const g = gradientAt(theta);
    const step = (n: string) =>
      theta[n].map((p, i) => {
        const decayed = p * (1 - lr * wd);
        m[n][i] = beta1 * m[n][i] + (1 - beta1) * g[n][i];
        v[n][i] = beta2 * v[n][i] + (1 - beta2) * g[n][i] ** 2;
        return decayed - (lr * (m[n][i] / (1 - beta1 ** t))) / (Math.sqrt(v[n][i] / (1 - beta2 ** t)) + eps);
      });
    theta = Object.fromEntries(names.map((n) => [n, step(n)]));
  }
  const deviation = Math.max(
    ...names.flatMap((n) => Array.from(trained[n].dataSync()).map((p, i) => Math.abs(p - theta[n][i]))),
  );
  tf.dispose([x, y]);
  disposeParams(initial);
  disposeParams(trained);
  return deviation;
}

/**
 * Every backend conformance check on the active backend, as the facts that failed with what was
 * measured: empty when the backend conforms. Tolerances: Adam within 1e-5 of tfjs's over five
 * steps; AdamW within 2e-6 of PyTorch's over two (decaying after the update instead would be off by
 * lr²·wd·|update| ≈ 5e-5 per step); the fused kernels the backend registers (GELU, LayerNorm)
 * within 1e-5 of the tfjs operations they replace, values and gradients.
 */
export function backendConformanceFailures(): string[] {
  const failures: string[] = [];
  const leaked = tensorsLeakedByPipeline();
  if (leaked !== 0) failures.push(`training, alignment, a curve and a merge leak ${leaked} tensors`);
  const adam = adamAgainstTfjs();
  if (!(adam.deviation < 1e-5)) failures.push(`Adam is ${adam.deviation} away from tfjs's Adam`);
  if (!(adam.moved > 1e-3)) failures.push(`Adam moved the parameters by only ${adam.moved}`);
  if (adam.leaked !== 0) failures.push(`Adam leaks ${adam.leaked} tensors`);
  const adamW = adamWAgainstPyTorch();
  if (!(adamW < 2e-6)) failures.push(`AdamW is ${adamW} away from PyTorch's AdamW`);
  failures.push(...fusedKernelFailures());
  return failures;
}
