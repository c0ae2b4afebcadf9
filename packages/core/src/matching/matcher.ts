import type { Split } from '../data/dataset';
import { WeightspaceError } from '../errors/errors';
import type { Params } from '../params/params';
import type { AnyArchitecture, FeatureGraph } from '../plugin/architecture';
import type { ProgressSink } from '../progress/progress';
import type { GroupElement } from '../symmetry/element';
import type { GroupKind, SymmetrySpec } from '../symmetry/spec';

/**
 * What a matcher is given: the seed of its random choices, an iteration bound, the groups to match,
 * progress, and data for data-driven matchers.
 */
export interface MatchContext {
  /** Seeds every random choice of the matcher (e.g. the order groups are visited in). */
  seed: number;
  maxIterations?: number;
  /** Only these groups are matched; the others stay at the identity. All groups when omitted. */
  groups?: readonly string[];
  /** Where the search starts for the matched groups (e.g. the last result for a slowly moving B); the identity when omitted. */
  init?: GroupElement;
  progress?: ProgressSink;
  /** The networks and training data, for matchers that look at features or losses (`needsData`). */
  data?: MatchData;
  /**
   * How weight matching solves orthogonal groups: 'procrustes' (default: the best orthogonal map)
   * or 'permutation' (the best permutation matrix: a permutation-only residual stream, for ablations).
   */
  orthogonalAs?: 'procrustes' | 'permutation';
  /**
   * Settings of the matchers that declare `options`, by name (`align --matcher-option
   * expertCost=gram`); a matcher reads only its own and takes its defaults for the rest.
   */
  options?: Readonly<Record<string, string>>;
  /**
   * The pair's normalisation state (BatchNorm running means and variances: `normalisationState`).
   * Weight-based objectives leave these parameters out unless the option `statistics=match` says
   * otherwise; they still move with the element. Callers that know the architecture pass them
   * (`align`, `merge`); without them every parameter counts.
   */
  statistics?: readonly string[];
}

/** A setting a matcher takes through `MatchContext.options`: its values, default and meaning. */
export interface MatcherOption {
  values: readonly string[];
  default: string;
  description: string;
}

/** What a data-driven matcher sees beside the two parameter sets. */
export interface MatchData {
  plugin: AnyArchitecture;
  config: unknown;
  train: Split;
  /** Training samples to use (the first ones, in the split's order); 5,000 when omitted. */
  samples?: number;
  /** Samples per forward pass; 500 when omitted. */
  batchSize?: number;
  /** Optimisation steps of matchers that learn (STE); one pass over `samples` when omitted. */
  steps?: number;
  learningRate?: number;
}

/**
 * What a matcher found: the element mapping B onto A, the objective before and after, and the
 * iterations it took.
 */
export interface MatchResult {
  /** The element that maps B onto A: `transform(B, spec, element)` is B in A's basin. */
  element: GroupElement;
  /** The matching objective Σ_k <A_k, g(B)_k> at the identity and at the result. */
  objectiveBefore: number;
  objectiveAfter: number;
  iterations: number;
  seconds: number;
}

/**
 * The value of option `name` a matcher is given (`context.options`), else its default; a
 * WeightspaceError naming the matcher, the option and its values when the value is not one of them.
 */
export function matcherOption(matcher: Matcher, context: MatchContext, name: string): string {
  const option = matcher.options?.[name];
  if (!option) throw new WeightspaceError(`matcher '${matcher.id}' has no option '${name}'`);
  const value = context.options?.[name] ?? option.default;
  if (!option.values.includes(value))
    throw new WeightspaceError(
      `matcher '${matcher.id}': option ${name}=${value} is not one of ${option.values.join(', ')}`,
    );
  return value;
}

/** A strategy that finds the group element aligning B to A, for the group kinds it declares. */
export interface Matcher {
  readonly id: string;
  readonly description: string;
  readonly paper?: string;
  readonly kinds: readonly GroupKind[];
  /** Whether it can match groups batched over another group. */
  readonly batched: boolean;
  /**
   * Finer than `kinds` and `batched`, where a matcher takes only some groups of a kind: whether it
   * can match `group` of `spec`; `features`, the architecture's feature graph where the plan knows
   * it (which taps carry which group). Every group of its kinds when omitted.
   */
  handles?(spec: SymmetrySpec, group: string, features?: FeatureGraph): boolean;
  /** Whether it needs `context.data` (features or losses on training data). */
  readonly needsData?: boolean;
  /**
   * Passes over a matching plan it shares with other matchers, at most (1 when omitted): its
   * result and theirs depend on each other (an expert order and the units the experts read), so
   * the plan repeats until a pass changes nothing.
   */
  readonly rounds?: number;
  /** The settings it reads from `MatchContext.options`, by name. */
  readonly options?: Readonly<Record<string, MatcherOption>>;
  match(spec: SymmetrySpec, a: Params, b: Params, context: MatchContext): MatchResult;
}
