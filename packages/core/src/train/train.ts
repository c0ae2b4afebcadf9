import * as tf from '@tensorflow/tfjs';
import { Adam, type StepOptimizer } from './adam';
import { minibatches, gather } from '../data/batches';
import type { Split } from '../data/dataset';
import type { Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import type { ProgressSink } from '../progress/progress';
import { Rng } from '../random/rng';
import { crossEntropy } from '../metrics/evaluate';
import { RunningStatistics } from '../normalisation/running-statistics';
import { type HostReads, readAsynchronously, readSynchronously } from '../params/host-reads';

/**
 * How to train: epochs, batch size, learning rate, optimiser, momentum, weight decay, seed and
 * progress.
 */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** 'adam' (default) or 'sgd' with momentum (PyTorch's form: v ← μv + g, θ ← θ − ηv). */
  optimizer?: 'adam' | 'adamw' | 'sgd';
  /** SGD momentum μ; 0.9 when omitted. */
  momentum?: number;
  /**
   * Weight decay on every trained parameter. With 'adam' and 'sgd' it is coupled L2: adds wd·θ to
   * each gradient, as PyTorch's SGD and Adam do. With 'adamw' it is decoupled (Loshchilov &
   * Hutter): θ ← θ·(1 − lr·wd) before each Adam update, with the gradient taken before the
   * decay, as PyTorch's AdamW does.
   */
  weightDecay?: number;
  /** Seeds the data order (one shuffle per epoch). */
  seed: number;
  progress?: ProgressSink;
  /** Label of the progress events, e.g. 'train A'. */
  task?: string;
}

/** A trained model: its parameters, the mean loss of every epoch, the steps and the seconds it took. */
export interface TrainResult {
  params: Params;
  /** Mean training loss of each epoch. */
  epochLosses: number[];
  /** Optimiser steps taken (epochs × minibatches per epoch): how long regularisers such as weight decay acted. */
  steps: number;
  seconds: number;
}

/**
 * Minimises the cross-entropy (plus the weight-decay penalty, if any) with Adam, AdamW or SGD over
 * seeded minibatches and returns new parameters; the input parameters are left as they are, so
 * training can continue from any checkpoint (spawning). Optimizer state starts fresh on each call.
 * Integer parameters are carried over untouched. The reported losses include the penalty.
 * Normalisation state (BatchNorm running statistics, from `plugin.normalisation`) is not trained:
 * it tracks the batch statistics of its tap as PyTorch does (see `RunningStatistics`).
 *
 * @param plugin the architecture to train
 * @param config its config
 * @param initial where training starts (left as it is): `plugin.init(config, seed)` or a checkpoint
 * @param split the training samples
 * @param options epochs, batch size, learning rate, optimiser, seed of the batch order, progress
 * @returns the trained parameters (new tensors), the mean loss of every epoch and the seconds it took
 * @example
 * ```ts
 * import { makeBlobs, toyPerceptron, train } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 128, separation: 2, seed: 0 });
 * const result = train(toyPerceptron, config, toyPerceptron.init(config, 0), data.train, { epochs: 2, batchSize: 32, learningRate: 0.01, seed: 0 });
 * console.log(result.epochLosses); // one mean loss per epoch, falling
 * ```
 */
export function train(
  plugin: AnyArchitecture,
  config: unknown,
  initial: Params,
  split: Split,
  options: TrainOptions,
): TrainResult {
  return readSynchronously(trainingSteps(plugin, config, initial, split, options));
}

/** `train` reading each step's loss asynchronously: for backends without synchronous reads (webgpu). */
export function trainAsync(
  plugin: AnyArchitecture,
  config: unknown,
  initial: Params,
  split: Split,
  options: TrainOptions,
): Promise<TrainResult> {
  return readAsynchronously(trainingSteps(plugin, config, initial, split, options));
}

function* trainingSteps(
  plugin: AnyArchitecture,
  config: unknown,
  initial: Params,
  split: Split,
  options: TrainOptions,
): HostReads<TrainResult> {
  const started = performance.now();
  const inputShape = plugin.inputShape(config);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const norms = plugin.normalisation(config);
  const running = new RunningStatistics(norms, initial);
  const variables: Record<string, tf.Variable> = {};
  for (const [name, t] of Object.entries(initial)) {
    // A variable shares its initial value's data until the first update replaces it; the input stays intact.
    if (t.dtype === 'float32' && !running.holds(name)) variables[name] = tf.variable(t, true, `w/${name}`);
  }
  const current = (): Params => ({ ...initial, ...running.values, ...variables });
  const taps = norms.map((n) => n.tap);
  const decoupled = options.optimizer === 'adamw' ? (options.weightDecay ?? 0) : 0;
  const optimizer =
    options.optimizer === 'sgd'
      ? momentum(options.learningRate, options.momentum ?? 0.9)
      : new Adam(options.learningRate, { decoupledWeightDecay: decoupled });
  const decay = options.optimizer === 'adamw' ? 0 : (options.weightDecay ?? 0);
  const penalty = (): tf.Scalar =>
    tf.mul(0.5 * decay, tf.addN(Object.values(variables).map((v) => tf.sum(tf.square(v))))) as tf.Scalar;
  const rng = new Rng(options.seed);
  const epochLosses: number[] = [];
  const steps = Math.ceil(split.count / options.batchSize);
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const batches = minibatches(split.count, options.batchSize, rng.fork(epoch));
      let sum = 0;
      for (const [step, indices] of batches.entries()) {
        const batch = gather(split, indices, size);
        const loss = tf.tidy((): tf.Scalar => {
          const x = tf.tensor(batch.x, [indices.length, ...inputShape]);
          const y = tf.tensor1d(batch.y, 'int32');
          const objective = (): tf.Scalar => {
            const { logits, features } = plugin.apply(config, current(), x, { train: true, taps });
            running.observe(features);
            const loss = crossEntropy(logits, y);
            return decay > 0 ? (tf.add(loss, penalty()) as tf.Scalar) : loss;
          };
          return optimizer.minimize(objective, Object.values(variables));
        });
        running.update();
        const value = (yield loss)[0];
        loss.dispose();
        sum += value * indices.length;
        options.progress?.({
          task: options.task ?? 'train',
          done: epoch * steps + step + 1,
          total: options.epochs * steps,
          info: `epoch ${epoch + 1}/${options.epochs} loss ${value.toFixed(4)}`,
        });
      }
      epochLosses.push(sum / split.count);
    }
    const params: Params = {};
    const final = current();
    for (const name of Object.keys(initial)) params[name] = final[name].clone();
    return { params, epochLosses, steps: options.epochs * steps, seconds: (performance.now() - started) / 1000 };
  } finally {
    optimizer.dispose();
    running.dispose();
    for (const v of Object.values(variables)) v.dispose();
  }
}

/** tfjs's SGD with momentum (PyTorch's form), as a StepOptimizer. */
function momentum(learningRate: number, mu: number): StepOptimizer {
  const optimizer = tf.train.momentum(learningRate, mu);
  return {
    minimize: (objective, variables) => optimizer.minimize(objective, true, variables) as tf.Scalar,
    dispose: () => optimizer.dispose(),
  };
}
