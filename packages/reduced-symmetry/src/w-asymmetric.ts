import * as tf from '@tensorflow/tfjs';
import { type ArchitecturePlugin, type Params, restrictSpec, type SymmetrySpec } from '@weightspace/core';
import { effectiveWeight } from './asymmetric-weight';
import { fixedEntries } from './fixed-entries';

/** One layer made W-asymmetric: its weight parameter (rows = outputs), n_fix and κ. */
export interface FixedLayer {
  param: string;
  nFix: number;
  kappa: number;
}

/** How many entries per row a W-asymmetric layer fixes, their scale κ, and the seed of the mask. */
export interface WAsymmetricOptions<C> {
  id: string;
  description: string;
  /** The layers to fix and how, for a config. */
  layers(config: C): readonly FixedLayer[];
  /** The seed of every mask and fixed value, read from the config so checkpoints carry it. */
  seed(config: C): number;
  /** Configs the conformance suite runs on. */
  examples: readonly C[];
  configSchema: object;
  defaultConfig(data: { inputShape: readonly number[]; classes: number }): C;
  inferConfig(shapes: Record<string, readonly number[]>): C;
}

/**
 * W-asymmetric variant of any plugin (Lim et al. 2024): the listed weights are replaced by
 * M⊙W + (1−M)⊙F before the base network runs, so each output unit of those layers has its own
 * pattern of frozen entries and no permutation of hidden units leaves the function unchanged.
 * The stored (trainable) parameters keep the base layout; masks are rebuilt from the config's
 * seed, so a checkpoint needs only its config to reproduce them bit for bit.
 */
export function wAsymmetric<B, C extends B>(
  base: ArchitecturePlugin<B>,
  options: WAsymmetricOptions<C>,
): ArchitecturePlugin<C> {
  const masks = new Map<string, Record<string, { mask: tf.Tensor; fixed: tf.Tensor }>>();
  const masksFor = (config: C, params: Params) => {
    const key = JSON.stringify(config);
    let entry = masks.get(key);
    if (!entry) {
      entry = {};
      for (const { param, nFix, kappa } of options.layers(config)) {
        const shape = params[param].shape;
        const rows = shape[0];
        const cols = params[param].size / rows;
        const { mask, values } = fixedEntries(param, rows, cols, Math.min(nFix, cols), kappa, options.seed(config));
        entry[param] = { mask: tf.keep(tf.tensor(mask, shape)), fixed: tf.keep(tf.tensor(values, shape)) };
      }
      masks.set(key, entry);
    }
    return entry;
  };
  return {
    ...base,
    id: options.id,
    description: options.description,
    configSchema: options.configSchema,
    examples: options.examples,
    defaultConfig: options.defaultConfig,
    inferConfig: options.inferConfig,
    // The base's stem reads the raw weights, not the effective ones: dropped (the effective
    // weight is affine in W too, but the base's stem does not apply the masks).
    affineStem: undefined,
    // The base's canonical form would rewrite weights whose fixed entries must stay where they are.
    canonicalize: undefined,
    forms: undefined,
    apply(config, params, x, applyOptions) {
      const fixed = masksFor(config, params);
      const effective: Params = { ...params };
      for (const [param, { mask, fixed: values }] of Object.entries(fixed))
        effective[param] = effectiveWeight(params[param], mask, values);
      return base.apply(config, effective, x, applyOptions);
    },
    symmetry(config): SymmetrySpec {
      // Every output unit of a fixed layer is distinguishable: no permutation of them is left.
      const spec = base.symmetry(config);
      const fixedParams = new Set(options.layers(config).map((l) => l.param));
      const broken = new Set(
        Object.entries(spec.axes).flatMap(([param, axes]) =>
          fixedParams.has(param) ? (axes[0] ?? []).map((a) => a.group) : [],
        ),
      );
      return restrictSpec(
        spec,
        Object.keys(spec.groups).filter((name) => !broken.has(name)),
      );
    },
    dispose() {
      for (const entry of masks.values()) for (const { mask, fixed } of Object.values(entry)) tf.dispose([mask, fixed]);
      masks.clear();
    },
  };
}
