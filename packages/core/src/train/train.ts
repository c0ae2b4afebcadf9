import * as tf from '@tensorflow/tfjs';
import { minibatches, gather } from '../data/batches';
import { Split } from '../data/dataset';
import { Params } from '../params/params';
import { AnyArchitecture } from '../plugin/architecture';
import { ProgressSink } from '../progress/progress';
import { Rng } from '../random/rng';
import { crossEntropy } from '../metrics/evaluate';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds the data order (one shuffle per epoch). */
  seed: number;
  progress?: ProgressSink;
  /** Label of the progress events, e.g. 'train A'. */
  task?: string;
}

export interface TrainResult {
  params: Params;
  /** Mean training loss of each epoch. */
  epochLosses: number[];
  seconds: number;
}

/**
 * Minimises the cross-entropy with Adam over seeded minibatches and returns new parameters; the
 * input parameters are left as they are. Integer parameters are carried over untouched.
 */
export function train(
  plugin: AnyArchitecture,
  config: unknown,
  initial: Params,
  split: Split,
  options: TrainOptions,
): TrainResult {
  const started = performance.now();
  const inputShape = plugin.inputShape(config);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const variables: Record<string, tf.Variable> = {};
  for (const [name, t] of Object.entries(initial)) {
    if (t.dtype === 'float32') variables[name] = tf.variable(t.clone(), true, `w/${name}`);
  }
  const current = (): Params => ({ ...initial, ...variables });
  const optimizer = tf.train.adam(options.learningRate);
  const rng = new Rng(options.seed);
  const epochLosses: number[] = [];
  const steps = Math.ceil(split.count / options.batchSize);
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const batches = minibatches(split.count, options.batchSize, rng.fork(epoch));
      let sum = 0;
      batches.forEach((indices, step) => {
        const batch = gather(split, indices, size);
        const loss = tf.tidy((): tf.Scalar => {
          const x = tf.tensor(batch.x, [indices.length, ...inputShape]);
          const y = tf.tensor1d(batch.y, 'int32');
          const objective = () => crossEntropy(plugin.apply(config, current(), x, { train: true }).logits, y);
          return optimizer.minimize(objective, true, Object.values(variables)) as tf.Scalar;
        });
        const value = loss.dataSync()[0];
        loss.dispose();
        sum += value * indices.length;
        options.progress?.({
          task: options.task ?? 'train',
          done: epoch * steps + step + 1,
          total: options.epochs * steps,
          info: `epoch ${epoch + 1}/${options.epochs} loss ${value.toFixed(4)}`,
        });
      });
      epochLosses.push(sum / split.count);
    }
    const params: Params = {};
    for (const [name, t] of Object.entries(initial)) params[name] = variables[name] ? variables[name].clone() : t.clone();
    return { params, epochLosses, seconds: (performance.now() - started) / 1000 };
  } finally {
    optimizer.dispose();
    for (const v of Object.values(variables)) v.dispose();
  }
}
