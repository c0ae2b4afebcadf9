import type * as tf from '@tensorflow/tfjs';
import type { ParamShapes, Params } from '../params/params';
import type { SymmetrySpec } from '../symmetry/spec';

/** How to run a model: training mode, and which feature taps to return. */
export interface ApplyOptions {
  /** Training mode (dropout, batch statistics). Defaults to false. */
  train?: boolean;
  /** Names of the feature taps to return; all of them when omitted. */
  taps?: readonly string[];
}

/** A forward pass: the logits and the named per-layer features asked for. */
export interface ApplyResult {
  logits: tf.Tensor;
  /** Named per-layer activations, for activation matching, LLFC and REPAIR. */
  features: Record<string, tf.Tensor>;
}

/** A parameter that holds normalisation state (BatchNorm running statistics) rather than weights. */
export interface NormalisationState {
  /** The parameter names of one normalisation layer's running mean and variance. */
  runningMean: string;
  runningVar: string;
  /** The feature tap whose batch statistics those running values track. */
  tap: string;
}

/**
 * How a network's feature taps connect, for feature-level analysis (LLFC, LEWC): its linear
 * layers in forward order, each with the weight parameter, the tap it reads (`null`: the network
 * input) and the tap of its output (`'logits'` for the last), and its ReLUs with the taps of their
 * input and output.
 */
export interface FeatureGraph {
  linear: ReadonlyArray<{ weight: string; input: string | null; output: string }>;
  relu: ReadonlyArray<{ preActivation: string; activation: string }>;
  /**
   * For activation matching: per permutation group, the taps whose last axis holds that group's
   * units (a residual stream is carried by several taps; their statistics are pooled).
   */
  units?: Readonly<Record<string, readonly string[]>>;
  /**
   * For REPAIR: taps that are per-channel affine in parameters. Channel c of `tap` scales with
   * slice c (first axis) of every `scale` parameter together with `shift[c]`, and `shift[c]` adds
   * to it, so multiplying those by s and then adding d to `shift[c]` maps the channel to s·y + d.
   * In forward order. `batchNorm`: the tap is a BatchNorm layer's output (scale = γ, shift = β)
   * whose normalised input has mean 0 and variance 1 in training mode, so there its channel mean
   * and standard deviation are β and |γ|.
   */
  affine?: ReadonlyArray<{ tap: string; scale: readonly string[]; shift: string; batchNorm?: boolean }>;
}

/**
 * An architecture: a pure function of its parameters, plus its symmetry declared as data.
 * `C` is the architecture's config, validated against `configSchema` (JSON Schema, ajv).
 */
export interface ArchitecturePlugin<C = unknown> {
  readonly id: string;
  readonly description: string;
  /** JSON Schema of `C`. */
  readonly configSchema: object;
  /** Small configs that the conformance suite and the docs exercise. */
  readonly examples: readonly C[];
  init(config: C, seed: number): Params;
  apply(config: C, params: Params, x: tf.Tensor, options?: ApplyOptions): ApplyResult;
  symmetry(config: C): SymmetrySpec;
  /** The normalisation layers whose statistics must be recomputed after interpolation or merging. */
  normalisation(config: C): readonly NormalisationState[];
  /**
   * The config a checkpoint with these shapes was built from; throws naming the parameter at fault.
   * `known` holds fields the caller knows that shapes cannot tell (a transformer's head count:
   * `--heads`); a plugin uses those it has and ignores the rest.
   */
  inferConfig(shapes: ParamShapes, known?: Readonly<Record<string, unknown>>): C;
  /** The input shape of one sample, e.g. [784]. */
  inputShape(config: C): readonly number[];
  /** Its inputs are token ids (a language model), to be fed from a dataset of tokens only. */
  readonly readsTokens?: boolean;
  /** The connections of the feature taps, where the architecture offers feature-level analysis. */
  featureGraph?(config: C): FeatureGraph;
  /** Samples per evaluation batch that keep one forward pass's activations small (2,000 when omitted). */
  evaluationBatchSize?(config: C): number;
  /**
   * Optional, for faster interpolation curves: the forward pass split as rest(stem(x)), where the
   * stem (typically the first dense layer with its bias) is affine in the parameters it reads, so
   * the stem output of (1−t)A + tB is exactly (1−t)·stem_A(x) + t·stem_B(x). Barrier curves then
   * compute the stem once per endpoint instead of once per point. The conformance suite checks
   * both facts. A variant that changes how the stem's parameters are used (fixed entries) or what
   * follows it must replace or drop this.
   */
  affineStem?: AffineStem<C>;
  /**
   * A function-preserving rewrite into the form the plugin's richest symmetry needs, applied to
   * both models before matching: for a transformer, LayerNorm rewritten as an RMSNorm without
   * parameters (gains and biases folded into the layers that read it, every writer of the residual
   * stream centred), whose residual stream then has an orthogonal symmetry. Returns the rewritten
   * model's config and parameters (new tensors; the input is left as is). The conformance suite
   * checks that it changes no output (≤ 1e-4) and that the result is its own canonical form.
   */
  canonicalize?(config: C, params: Params): { config: C; params: Params };
  /**
   * Function-preserving forms beyond the canonical one, in order: each rewrites a model in any
   * form (as saved, canonical, or an earlier entry) into itself, and leaves a model already in it
   * unchanged. A transformer's `circuits` writes each attention head as its query–key and
   * value–output circuits. `align --form NAME` matches in one; commands that read several models
   * in different forms bring them all to the furthest form among them. The conformance suite
   * checks each as it checks `canonicalize`.
   */
  readonly forms?: ReadonlyArray<ModelForm<C>>;
  /**
   * `batch` valid random inputs for the conformance checks, seeded: Gaussian samples of
   * `inputShape` when omitted (a language model draws token ids).
   */
  randomInput?(config: C, batch: number, seed: number): tf.Tensor;
  /**
   * Releases what the plugin holds beyond its parameters (cached tensors such as a variant's fixed
   * masks): called by the registry that derived it, when that registry is disposed.
   */
  dispose?(): void;
  /** The config used when a user names a dataset but gives none (e.g. `train --arch mlp --dataset mnist`). */
  defaultConfig(data: { inputShape: readonly number[]; classes: number }): C;
}

/** See `ArchitecturePlugin.forms`. */
export interface ModelForm<C = unknown> {
  readonly name: string;
  readonly description: string;
  /** Whether a model of this config is in this form. */
  holds(config: C): boolean;
  /** The model rewritten into this form (new tensors; the input is left as is). */
  apply(config: C, params: Params): { config: C; params: Params };
}

/** See `ArchitecturePlugin.affineStem`. */
export interface AffineStem<C = unknown> {
  stem(config: C, params: Params, x: tf.Tensor): tf.Tensor;
  /** The logits from the stem's output. */
  rest(config: C, params: Params, stemOutput: tf.Tensor): tf.Tensor;
}

/** An architecture whose config type is erased: what the registry stores and the CLI handles. */
export type AnyArchitecture = ArchitecturePlugin<any>;

/**
 * A reduced-symmetry variant: a function from a plugin to a plugin, registered under
 * `<arch>.<variant>` (e.g. `mlp.w-asym`).
 */
export interface VariantPlugin<B = any, C extends B = B> {
  readonly id: string;
  readonly base: string;
  readonly description: string;
  /**
   * Builds the variant from its base architecture (config type B) as an architecture whose config
   * C extends B, so a base config is a variant config. A registry derives each variant once and
   * releases what it caches (`dispose`) with the registry.
   */
  derive(base: ArchitecturePlugin<B>): ArchitecturePlugin<C>;
}

/** A variant whose config types are erased: what the registry stores. */
export type AnyVariant = VariantPlugin<any, any>;

/**
 * The names of a network's normalisation state (every running mean and variance): what weight
 * objectives leave out under `statistics=ignore` (`MatchContext.statistics`).
 */
export function normalisationState(plugin: AnyArchitecture, config: unknown): string[] {
  return plugin.normalisation(config).flatMap((n) => [n.runningMean, n.runningVar]);
}
