import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors/errors';
import type { EvaluationBatches } from '../metrics/evaluation-batches';
import type { Params } from '../params/params';
import type { AnyArchitecture, FeatureGraph } from '../plugin/architecture';
import type { ProgressSink } from '../progress/progress';
import { MeanStd, NormalisedDistance, normalisedDistance, perSample, rowCosine } from './feature-stats';
import { scanPairFeatures } from './pair-features';

/**
 * Layerwise linear feature connectivity (Zhou et al. 2023). With θ_α = αθ_A + (1−α)θ_B:
 *
 * - `dis[α]`: mean and std over samples of Dis = 1 − |cos(f(θ_α), αf_A + (1−α)f_B)| per layer,
 *   against the `baseline` 1 − |cos(f_A, f_B)|;
 * - `scale[α]`: c with c·f(θ_α) ≈ αf_A + (1−α)f_B in least squares over all samples
 *   (c = ‖f_interp‖² / ⟨f_α, f_interp⟩; 1 means no rescaling);
 * - weak additivity at every ReLU: ReLU(αh_A + (1−α)h_B) against αReLU(h_A) + (1−α)ReLU(h_B) on
 *   the endpoints' pre-activations, as mean per-sample cosine distance and normalised squared
 *   distance ‖X−Y‖²/(‖X‖‖Y‖);
 * - commutativity at every dense layer: (W_A − W_B)(H_A − H_B) with H the layer's input features,
 *   as the normalised squared distance between W_AH_A + W_BH_B and W_AH_B + W_BH_A, next to the
 *   same distance of the weights (distW) and of the inputs (distH).
 *
 * Layers are the plugin's feature taps in forward order plus `logits`.
 */
export interface LlfcLayer {
  tap: string;
  baseline: { mean: number; std: number };
  dis: Record<string, { mean: number; std: number }>;
  scale: Record<string, number>;
}

/**
 * Layerwise linear feature connectivity of A and B (Zhou et al. 2023): per layer Dis and scale at
 * each α, weak additivity, commutativity.
 */
export interface LlfcReport {
  alphas: number[];
  samples: number;
  layers: LlfcLayer[];
  weakAdditivity: Array<{
    activation: string;
    alphas: Record<string, { cosineDistance: number; normalisedDistance: number }>;
  }>;
  commutativity: Array<{ weight: string; distCom: number; distW: number; distH: number }>;
}

/**
 * Layerwise linear feature connectivity of A and B (Zhou et al. 2023) on the given batches.
 *
 * @param plugin an architecture with a `featureGraph`
 * @param config its config
 * @param a model A
 * @param b model B (aligned to A, spawned from it, or neither)
 * @param data the batches the features are computed on
 * @param options the interpolation weights α (default 0.25, 0.5, 0.75) and progress
 * @returns per layer, Dis and the scale c at each α against the A-vs-B baseline; weak additivity; commutativity
 * @example
 * ```ts
 * import { EvaluationBatches, llfc, makeBlobs, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const data = makeBlobs({ classes: 4, dimension: 16, train: 256, test: 128, separation: 2, seed: 0 });
 * const [a, b] = [0, 1].map((seed) => toyPerceptron.init(config, seed));
 * const test = EvaluationBatches.forModel(data.test, toyPerceptron, config);
 * const report = llfc(toyPerceptron, config, a, b, test, { alphas: [0.5] });
 * console.log(report.layers.map((l) => [l.tap, l.dis['0.5'].mean]));
 * ```
 */
export function llfc(
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  data: EvaluationBatches,
  options: { alphas?: number[]; progress?: ProgressSink } = {},
): LlfcReport {
  const alphas = options.alphas ?? [0.25, 0.5, 0.75];
  const graph = requireGraph(plugin, config);
  const baseline = new Map<string, MeanStd>();
  const dis = new Map<string, MeanStd>();
  const scaleDot = new Map<string, number>();
  const scaleNorm = new Map<string, number>();
  const weakCos = new Map<string, MeanStd>();
  const weakDist = new Map<string, NormalisedDistance>();
  const com = graph.linear.map(() => ({ com: new NormalisedDistance(), h: new NormalisedDistance() }));
  const key = (tap: string, alpha: number) => `${tap}@${alpha}`;
  const get = <T>(map: Map<string, T>, k: string, make: () => T): T => {
    if (!map.has(k)) map.set(k, make());
    return map.get(k) as T;
  };
  let taps: string[] = [];
  scanPairFeatures(
    plugin,
    config,
    a,
    b,
    alphas,
    data,
    ({ x, fa, fb, mixed }) => {
      taps = Object.keys(fa);
      for (const tap of taps)
        get(baseline, tap, () => new MeanStd()).add(
          tf.sub(1, tf.abs(rowCosine(perSample(fa[tap]), perSample(fb[tap])))) as tf.Tensor1D,
        );
      alphas.forEach((alpha, k) => {
        const fm = mixed[k];
        for (const tap of taps) {
          const interp = perSample(tf.add(tf.mul(fa[tap], alpha), tf.mul(fb[tap], 1 - alpha)));
          const actual = perSample(fm[tap]);
          get(dis, key(tap, alpha), () => new MeanStd()).add(
            tf.sub(1, tf.abs(rowCosine(actual, interp))) as tf.Tensor1D,
          );
          scaleDot.set(
            key(tap, alpha),
            (scaleDot.get(key(tap, alpha)) ?? 0) + tf.sum(tf.mul(actual, interp)).dataSync()[0],
          );
          scaleNorm.set(
            key(tap, alpha),
            (scaleNorm.get(key(tap, alpha)) ?? 0) + tf.sum(tf.square(interp)).dataSync()[0],
          );
        }
        for (const { preActivation, activation } of graph.relu) {
          const ha = fa[preActivation];
          const hb = fb[preActivation];
          const joint = tf.relu(tf.add(tf.mul(ha, alpha), tf.mul(hb, 1 - alpha)));
          const separate = tf.add(tf.mul(tf.relu(ha), alpha), tf.mul(tf.relu(hb), 1 - alpha));
          get(weakCos, key(activation, alpha), () => new MeanStd()).add(
            tf.sub(1, rowCosine(perSample(joint), perSample(separate))) as tf.Tensor1D,
          );
          get(weakDist, key(activation, alpha), () => new NormalisedDistance()).add(joint, separate);
        }
      });
      graph.linear.forEach(({ weight, input }, k) => {
        const [wa, wb] = [a[weight], b[weight]];
        if (wa.rank !== 2) return;
        const ha = perSample(input === null ? x : fa[input]);
        const hb = perSample(input === null ? x : fb[input]);
        const same = tf.add(tf.matMul(ha, wa, false, true), tf.matMul(hb, wb, false, true));
        const swapped = tf.add(tf.matMul(hb, wa, false, true), tf.matMul(ha, wb, false, true));
        com[k].com.add(same, swapped);
        com[k].h.add(ha, hb);
      });
    },
    { sink: options.progress, task: 'LLFC' },
  );
  const label = String;
  return {
    alphas,
    samples: data.count,
    layers: taps.map((tap) => ({
      tap,
      baseline: (baseline.get(tap) as MeanStd).value,
      dis: Object.fromEntries(alphas.map((al) => [label(al), (dis.get(key(tap, al)) as MeanStd).value])),
      scale: Object.fromEntries(
        alphas.map((al) => [
          label(al),
          (scaleNorm.get(key(tap, al)) as number) / (scaleDot.get(key(tap, al)) as number),
        ]),
      ),
    })),
    weakAdditivity: graph.relu.map(({ activation }) => ({
      activation,
      alphas: Object.fromEntries(
        alphas.map((al) => [
          label(al),
          {
            cosineDistance: (weakCos.get(key(activation, al)) as MeanStd).value.mean,
            normalisedDistance: (weakDist.get(key(activation, al)) as NormalisedDistance).value,
          },
        ]),
      ),
    })),
    commutativity: graph.linear
      .map(({ weight }, k) => ({ weight, k }))
      .filter(({ weight }) => a[weight].rank === 2)
      .map(({ weight, k }) => ({
        weight,
        distCom: com[k].com.value,
        distW: normalisedDistance(a[weight], b[weight]),
        distH: com[k].h.value,
      })),
  };
}

/**
 * The plugin's feature graph for layer-by-layer analysis: a ConfigError naming the architecture
 * when it declares none, or no linear layers (a graph that only names the taps of its groups,
 * for activation matching).
 */
export function requireGraph(plugin: AnyArchitecture, config: unknown): FeatureGraph {
  const graph = plugin.featureGraph?.(config);
  if (!graph || graph.linear.length === 0)
    throw new ConfigError(
      `architecture '${plugin.id}' declares no graph of linear layers (featureGraph().linear), so feature-level analysis is not available for it`,
    );
  return graph;
}
