import * as tf from '@tensorflow/tfjs';
import { disposeParams, maxAbsDifference, Params, shapesOf } from '../params/params';
import { AnyArchitecture } from '../plugin/architecture';
import { Rng } from '../random/rng';
import { compose, elementsEqual, inverse, random } from '../symmetry/algebra';
import { GroupElement } from '../symmetry/element';
import { isPermutationKind, restrictSpec, SymmetrySpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import { validateSpec } from '../symmetry/validate';
import { Matcher } from '../matching/matcher';

/**
 * The facts every architecture's symmetry must satisfy, as plain checks that return what they
 * measured. Test files (core's own over toy models, the CLI's over every registered plugin) assert
 * on the results, so the same suite runs like a backend conformance suite.
 */
export interface ConformanceSubject {
  plugin: AnyArchitecture;
  config: unknown;
  seed?: number;
  /** Samples in the random input batch. */
  batch?: number;
}

/** Throws a SpecError unless the spec fits the shapes of freshly initialised parameters. */
export function checkSpecValidates({ plugin, config, seed = 0 }: ConformanceSubject): void {
  const params = plugin.init(config, seed);
  try {
    validateSpec(plugin.symmetry(config), shapesOf(params), plugin.id);
  } finally {
    disposeParams(params);
  }
}

/** Largest |logits(θ) − logits(g·θ)| over a random batch, for a random element g. */
export function outputChangeUnderRandomElement(subject: ConformanceSubject): number {
  const { plugin, config, seed = 0, batch = 8 } = subject;
  const spec = plugin.symmetry(config);
  return withParams(subject, (params) => {
    const g = random(spec, new Rng(seed).fork('element'));
    const moved = transform(params, spec, g);
    const diff = logitsDifference(subject, params, moved, batch);
    disposeParams(moved);
    return diff;
  });
}

/** Largest |logits(θ) − logits(θ')| over a seeded random batch. */
export function logitsDifference(subject: ConformanceSubject, a: Params, b: Params, batch = 8): number {
  const { plugin, config, seed = 0 } = subject;
  return tf.tidy(() => {
    const shape = [batch, ...plugin.inputShape(config)];
    const size = shape.reduce((x, y) => x * y, 1);
    const x = tf.tensor(new Rng(seed).fork('input').normalArray(size), shape);
    const ya = plugin.apply(config, a, x).logits;
    const yb = plugin.apply(config, b, x).logits;
    return tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0];
  });
}

/**
 * For a plugin that declares an `affineStem`: the largest of |rest(stem(x)) − apply(x)| and
 * |stem((1−t)A + tB) − [(1−t)·stem(A) + t·stem(B)]| (t = 0.3) over a seeded random batch, for two
 * independently initialised A and B. Both must vanish for barrier curves to use the stem.
 */
export function affineStemError(subject: ConformanceSubject): number {
  const { plugin, config, seed = 0, batch = 8 } = subject;
  const stem = plugin.affineStem;
  if (!stem) throw new Error(`${plugin.id} declares no affine stem`);
  const a = plugin.init(config, seed);
  const b = plugin.init(config, seed + 1);
  try {
    return tf.tidy(() => {
      const shape = [batch, ...plugin.inputShape(config)];
      const x = tf.tensor(new Rng(seed).fork('input').normalArray(shape.reduce((p, q) => p * q, 1)), shape);
      const largest = (p: tf.Tensor, q: tf.Tensor) => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0];
      const split = largest(stem.rest(config, a, stem.stem(config, a, x)), plugin.apply(config, a, x).logits);
      const t = 0.3;
      const mixed = Object.fromEntries(Object.keys(a).map((name) => [name, tf.add(tf.mul(a[name], 1 - t), tf.mul(b[name], t))]));
      const affine = largest(stem.stem(config, mixed, x), tf.add(tf.mul(stem.stem(config, a, x), 1 - t), tf.mul(stem.stem(config, b, x), t)));
      return Math.max(split, affine);
    });
  } finally {
    disposeParams(a);
    disposeParams(b);
  }
}

/** Largest |θ − g⁻¹·(g·θ)|: the inverse undoes the action. */
export function roundTripError(subject: ConformanceSubject): number {
  const { plugin, config, seed = 0 } = subject;
  const spec = plugin.symmetry(config);
  return withParams(subject, (params) => {
    const g = random(spec, new Rng(seed).fork('element'));
    const moved = transform(params, spec, g);
    const back = transform(moved, spec, inverse(spec, g));
    const err = maxAbsDifference(params, back);
    disposeParams(moved);
    disposeParams(back);
    return err;
  });
}

/** Largest |h·(g·θ) − (g then h)·θ|: composition matches acting twice. */
export function compositionError(subject: ConformanceSubject): number {
  const { plugin, config, seed = 0 } = subject;
  const spec = plugin.symmetry(config);
  return withParams(subject, (params) => {
    const g = random(spec, new Rng(seed).fork('first'));
    const h = random(spec, new Rng(seed).fork('second'));
    const once = transform(params, spec, g);
    const twice = transform(once, spec, h);
    const composed = transform(params, spec, compose(spec, g, h));
    const err = maxAbsDifference(twice, composed);
    disposeParams(once);
    disposeParams(twice);
    disposeParams(composed);
    return err;
  });
}

export interface SelfMatchResult {
  /** The groups that were matched: the permutation groups the matcher supports. */
  groups: string[];
  /** Whether the matcher returned exactly g⁻¹ for B = g·A. */
  recovered: boolean;
  /** Largest |A − match(A, B)·B| after alignment. */
  residual: number;
}

/**
 * Matches θ against a copy moved by a random element of its permutation groups and reports
 * whether the matcher recovers that element exactly. Groups of other kinds stay at the identity.
 */
export function selfMatch(subject: ConformanceSubject, matcher: Matcher): SelfMatchResult {
  const { plugin, config, seed = 0 } = subject;
  const full = plugin.symmetry(config);
  const groups = matchableGroups(full, matcher);
  const spec = restrictSpec(full, groups);
  return withParams(subject, (params) => {
    const g: GroupElement = random(spec, new Rng(seed).fork('element'));
    const moved = transform(params, spec, g);
    const result = matcher.match(spec, params, moved, { seed, groups });
    const aligned = transform(moved, spec, result.element);
    const residual = maxAbsDifference(params, aligned);
    disposeParams(moved);
    disposeParams(aligned);
    return { groups, recovered: elementsEqual(result.element, inverse(spec, g)), residual };
  });
}

/** The groups of `spec` a matcher can handle on its own. */
export function matchableGroups(spec: SymmetrySpec, matcher: Matcher): string[] {
  return Object.entries(spec.groups)
    .filter(([, d]) => matcher.kinds.includes(d.kind) && (matcher.batched || d.batchedOver === undefined))
    .filter(([, d]) => isPermutationKind(d.kind))
    .map(([name]) => name);
}

function withParams<T>({ plugin, config, seed = 0 }: ConformanceSubject, body: (params: Params) => T): T {
  const params = plugin.init(config, seed);
  try {
    return body(params);
  } finally {
    disposeParams(params);
  }
}
