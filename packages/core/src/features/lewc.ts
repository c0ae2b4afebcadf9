import * as tf from '@tensorflow/tfjs';
import type { EvaluationBatches } from '../metrics/evaluation-batches';
import type { Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import type { ProgressSink } from '../progress/progress';
import { MeanStd, perSample, rowCosine } from './feature-stats';
import { requireGraph } from './llfc';
import { scanPairFeatures } from './pair-features';

/**
 * Layerwise exponentially weighted connectivity (Ito et al. 2025). For the merged model
 * θ_λ = λθ_A + (1−λ)θ_B, per layer of depth ℓ (the ℓ-th linear layer's output and the ReLU after
 * it): the mean over samples of cos(f_ℓ(θ_λ), λ^ℓ f_ℓ(θ_A) + (1−λ)^ℓ f_ℓ(θ_B)); and per dense layer
 * the reciprocal-orthogonality ratios ‖W_B z_A‖ / ‖W_A z_A‖ and ‖W_A z_B‖ / ‖W_B z_B‖, with z the
 * layer's input features in the named model (0 when each model's weights ignore the other's
 * features). The theory is for bias-free ReLU networks.
 */
export interface LewcReport {
  lambdas: number[];
  samples: number;
  layers: Array<{ tap: string; depth: number; cosine: Record<string, { mean: number; std: number }> }>;
  orthogonality: Array<{ weight: string; ratioBonA: number; ratioAonB: number }>;
}

/**
 * LEWC of A and B without alignment (Ito et al. 2025): the per-layer cosine between interpolated
 * and linearly combined features, and reciprocal orthogonality.
 *
 * @param plugin an architecture with a `featureGraph`
 * @param config its config
 * @param a model A
 * @param b model B (not aligned)
 * @param data the batches the features are computed on
 * @param options the interpolation weights λ (default 0.5) and progress
 * @returns per layer, the LEWC cosine at each λ, and the reciprocal-orthogonality ratios of every dense layer
 * @example
 * ```ts
 * import { EvaluationBatches, lewc, makeBlobs, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 128, separation: 2, seed: 0 });
 * const [a, b] = [0, 1].map((seed) => toyPerceptron.init(config, seed));
 * const test = EvaluationBatches.forModel(data.test, toyPerceptron, config);
 * console.log(lewc(toyPerceptron, config, a, b, test).orthogonality);
 * ```
 */
export function lewc(
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  data: EvaluationBatches,
  options: { lambdas?: number[]; progress?: ProgressSink } = {},
): LewcReport {
  const lambdas = options.lambdas ?? [0.5];
  const graph = requireGraph(plugin, config);
  const depthOf = new Map<string, number>();
  graph.linear.forEach(({ output }, k) => depthOf.set(output, k + 1));
  for (const { preActivation, activation } of graph.relu) {
    const depth = depthOf.get(preActivation);
    if (depth !== undefined) depthOf.set(activation, depth);
  }
  const cos = new Map<string, MeanStd>();
  const norms = graph.linear.map(() => ({ bOnA: 0, aOnA: 0, aOnB: 0, bOnB: 0 }));
  let taps: string[] = [];
  scanPairFeatures(
    plugin,
    config,
    a,
    b,
    lambdas,
    data,
    ({ x, fa, fb, mixed }) => {
      taps = Object.keys(fa).filter((t) => depthOf.has(t));
      lambdas.forEach((lambda, k) => {
        const fm = mixed[k];
        for (const tap of taps) {
          const l = depthOf.get(tap) as number;
          const predicted = perSample(tf.add(tf.mul(fa[tap], lambda ** l), tf.mul(fb[tap], (1 - lambda) ** l)));
          const k2 = `${tap}@${lambda}`;
          if (!cos.has(k2)) cos.set(k2, new MeanStd());
          (cos.get(k2) as MeanStd).add(rowCosine(perSample(fm[tap]), predicted));
        }
      });
      graph.linear.forEach(({ weight, input }, k) => {
        const [wa, wb] = [a[weight], b[weight]];
        if (wa.rank !== 2) return;
        const za = perSample(input === null ? x : fa[input]);
        const zb = perSample(input === null ? x : fb[input]);
        const sq = (w: tf.Tensor, z: tf.Tensor2D) => tf.sum(tf.square(tf.matMul(z, w, false, true))).dataSync()[0];
        norms[k].bOnA += sq(wb, za);
        norms[k].aOnA += sq(wa, za);
        norms[k].aOnB += sq(wa, zb);
        norms[k].bOnB += sq(wb, zb);
      });
    },
    { sink: options.progress, task: 'LEWC' },
  );
  return {
    lambdas,
    samples: data.count,
    layers: taps.map((tap) => ({
      tap,
      depth: depthOf.get(tap) as number,
      cosine: Object.fromEntries(lambdas.map((l) => [String(l), (cos.get(`${tap}@${l}`) as MeanStd).value])),
    })),
    orthogonality: graph.linear
      .map(({ weight }, k) => ({ weight, n: norms[k] }))
      .filter(({ weight }) => a[weight].rank === 2)
      .map(({ weight, n }) => ({
        weight,
        ratioBonA: Math.sqrt(n.bOnA / n.aOnA),
        ratioAonB: Math.sqrt(n.aOnB / n.bOnB),
      })),
  };
}
