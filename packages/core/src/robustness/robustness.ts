import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/dataset';
import { crossEntropy, evaluate } from '../metrics/evaluate';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import type { Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import type { ProgressSink } from '../progress/progress';
import { Rng } from '../random/rng';
import { lipschitzUpperBound, weightNorm } from './spectral-norm';

/**
 * The attacks and noise of `robustness`: L∞ radii for FGSM and PGD, PGD steps, noise levels, input
 * range, seed, batch size.
 */
export interface RobustnessOptions {
  /** L∞ budgets of FGSM and PGD, in input units (MNIST scale: [0, 1] pixels). */
  epsilons: number[];
  pgdSteps: number;
  /** Standard deviations of additive Gaussian input noise. */
  noiseStds: number[];
  /** Valid input range: adversarial and noisy inputs are clipped to it. */
  inputRange: [number, number];
  /** Samples (a prefix of the split) attacked and perturbed; all when omitted. */
  attackLimit?: number;
  seed: number;
  batchSize: number;
  progress?: ProgressSink;
}

/**
 * The attacks `robustness` runs when not told otherwise: ε = 0.05 and 0.1, PGD-10, noise σ = 0.1
 * and 0.3.
 */
export const defaultRobustnessOptions: RobustnessOptions = {
  epsilons: [0.05, 0.1],
  pgdSteps: 10,
  noiseStds: [0.1, 0.3],
  inputRange: [0, 1],
  seed: 0,
  batchSize: 1000,
};

/** Clean, FGSM, PGD and noisy accuracy of a model, its weight norm and a Lipschitz upper bound. */
export interface RobustnessReport {
  clean: { loss: number; accuracy: number; samples: number };
  /** Accuracy under attack / noise, keyed by ε or σ as written (e.g. "0.05"). */
  fgsm: Record<string, number>;
  pgd: Record<string, number>;
  noise: Record<string, number>;
  attackedSamples: number;
  weightL2: number;
  lipschitzUpperBound: number;
  spectralNorms: Array<{ name: string; norm: number }>;
  /** Logit scale on clean inputs: mean of the largest logit and the mean logit std per sample. */
  logits: { meanMax: number; meanStd: number };
}

/**
 * Clean accuracy, FGSM and PGD accuracy under L∞ budgets, accuracy under Gaussian input noise,
 * the weights' L2 norm and a Lipschitz upper bound, for any classifier plugin.
 *
 * FGSM: x + ε·sign(∇ₓL), clipped to the input range. PGD (Madry et al. 2018): a seeded uniform
 * start in the ε-ball, then `pgdSteps` signed-gradient steps of 2.5ε/steps, each projected back
 * onto the ball and the input range.
 *
 * @param plugin the architecture
 * @param config its config
 * @param params the model to attack
 * @param split the samples (attacks use the first `attackLimit`)
 * @param partial attacks and noise to run; see `defaultRobustnessOptions`
 * @returns clean, FGSM, PGD and noisy accuracy, the weight norm and a Lipschitz upper bound
 * @example
 * ```ts
 * import { makeBlobs, robustness, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 128, separation: 2, seed: 0 });
 * const report = robustness(toyPerceptron, config, toyPerceptron.init(config, 0), data.test, { epsilons: [0.1], pgdSteps: 5 });
 * console.log(report.clean.accuracy, report.pgd['0.1']);
 * ```
 */
export function robustness(
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  split: Split,
  partial: Partial<RobustnessOptions> = {},
): RobustnessReport {
  const o = { ...defaultRobustnessOptions, ...partial };
  const inputShape = plugin.inputShape(config);
  const all = EvaluationBatches.from(split, inputShape, o.batchSize);
  const count = Math.min(split.count, o.attackLimit ?? split.count);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const attacked = EvaluationBatches.from(
    { x: split.x.subarray(0, count * size), y: split.y.subarray(0, count), count },
    inputShape,
    o.batchSize,
  );
  try {
    const clean = evaluate(plugin, config, params, all);
    const logits = logitScale(plugin, config, params, all);
    const rng = new Rng(o.seed);
    const steps = o.epsilons.length * 2 + o.noiseStds.length;
    let done = 0;
    const tick = (what: string) => o.progress?.({ task: 'robustness', done: ++done, total: steps, info: what });
    const [lo, hi] = o.inputRange;
    const lossOf = (x: tf.Tensor, y: tf.Tensor1D) => crossEntropy(plugin.apply(config, params, x).logits, y);
    const inputGradient = (x: tf.Tensor, y: tf.Tensor1D) => tf.grad((xx: tf.Tensor) => lossOf(xx, y))(x);

    const accuracyOn = (perturb: (x: tf.Tensor, y: tf.Tensor1D, batch: number) => tf.Tensor): number => {
      let correct = 0;
      attacked.batches.forEach(({ x, y }, batch) => {
        const hits = tf.tidy(() => {
          const moved = perturb(x, y, batch);
          return tf.sum(tf.cast(tf.equal(tf.argMax(plugin.apply(config, params, moved).logits, 1), y), 'int32'));
        });
        correct += hits.dataSync()[0];
        hits.dispose();
      });
      return correct / count;
    };

    const fgsm: Record<string, number> = {};
    const pgd: Record<string, number> = {};
    for (const eps of o.epsilons) {
      fgsm[String(eps)] = accuracyOn((x, y) =>
        tf.clipByValue(tf.add(x, tf.mul(tf.sign(inputGradient(x, y)), eps)), lo, hi),
      );
      tick(`FGSM ε=${eps}`);
      const alpha = (2.5 * eps) / o.pgdSteps;
      pgd[String(eps)] = accuracyOn((x, y, batch) => {
        const start = rng.fork(`pgd/${eps}/${batch}`).uniformArray(x.size, -eps, eps);
        let adv = tf.clipByValue(tf.add(x, tf.tensor(start, x.shape)), lo, hi);
        for (let s = 0; s < o.pgdSteps; s++) {
          const stepped = tf.add(adv, tf.mul(tf.sign(inputGradient(adv, y)), alpha));
          adv = tf.clipByValue(tf.minimum(tf.maximum(stepped, tf.sub(x, eps)), tf.add(x, eps)), lo, hi);
        }
        return adv;
      });
      tick(`PGD-${o.pgdSteps} ε=${eps}`);
    }
    const noise: Record<string, number> = {};
    for (const std of o.noiseStds) {
      noise[String(std)] = accuracyOn((x, _y, batch) => {
        const z = rng.fork(`noise/${std}/${batch}`).normalArray(x.size, std);
        return tf.clipByValue(tf.add(x, tf.tensor(z, x.shape)), lo, hi);
      });
      tick(`noise σ=${std}`);
    }
    const lipschitz = lipschitzUpperBound(params, o.seed);
    return {
      clean: { ...clean, samples: split.count },
      fgsm,
      pgd,
      noise,
      attackedSamples: count,
      weightL2: weightNorm(params),
      lipschitzUpperBound: lipschitz.bound,
      spectralNorms: lipschitz.layers,
      logits,
    };
  } finally {
    all.dispose();
    attacked.dispose();
  }
}

function logitScale(
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  data: EvaluationBatches,
): { meanMax: number; meanStd: number } {
  let max = 0;
  let std = 0;
  for (const { x } of data.batches) {
    const [m, s] = tf.tidy(() => {
      const logits = plugin.apply(config, params, x).logits;
      const { variance } = tf.moments(logits, 1);
      return [tf.sum(tf.max(logits, 1)), tf.sum(tf.sqrt(variance))];
    });
    max += m.dataSync()[0];
    std += s.dataSync()[0];
    m.dispose();
    s.dispose();
  }
  return { meanMax: max / data.count, meanStd: std / data.count };
}
