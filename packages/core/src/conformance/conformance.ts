import * as tf from '@tensorflow/tfjs';
import { disposeParams, maxAbsDifference, type Params, shapesOf } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import { Rng } from '../random/rng';
import { compose, elementsEqual, identity, inverse, random } from '../symmetry/algebra';
import type { GroupElement } from '../symmetry/element';
import { groupsBatchedOver, restrictSpec, type SymmetrySpec, topLevelGroups } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import { validateSpec } from '../symmetry/validate';
import { stackedSpec } from '../symmetry/families';
import type { Matcher } from '../matching/matcher';
import { runMatcher, supports } from '../matching/plan';
import { train } from '../train/train';

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
  const { plugin, config } = subject;
  return tf.tidy(() => {
    const x = randomInputOf(subject, batch);
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
      const x = randomInputOf(subject, batch);
      const largest = (p: tf.Tensor, q: tf.Tensor) => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0];
      const split = largest(stem.rest(config, a, stem.stem(config, a, x)), plugin.apply(config, a, x).logits);
      const t = 0.3;
      const mixed = Object.fromEntries(
        Object.keys(a).map((name) => [name, tf.add(tf.mul(a[name], 1 - t), tf.mul(b[name], t))]),
      );
      const affine = largest(
        stem.stem(config, mixed, x),
        tf.add(tf.mul(stem.stem(config, a, x), 1 - t), tf.mul(stem.stem(config, b, x), t)),
      );
      return Math.max(split, affine);
    });
  } finally {
    disposeParams(a);
    disposeParams(b);
  }
}

/**
 * Largest |θ − g·θ| for a random element g of the plugin's own spec. A spec that declares groups
 * must move the parameters: otherwise the invariance, round-trip and composition checks hold by
 * construction and test nothing. 0 for a spec without groups.
 */
export function paramsMovedByRandomElement(subject: ConformanceSubject): number {
  const { plugin, config, seed = 0 } = subject;
  const spec = plugin.symmetry(config);
  return withParams(subject, (params) => {
    const moved = transform(params, spec, random(spec, new Rng(seed).fork('element')));
    const change = maxAbsDifference(params, moved);
    disposeParams(moved);
    return change;
  });
}

/** A variant under test with the architecture it is derived from. */
export interface VariantSubject extends ConformanceSubject {
  base: AnyArchitecture;
}

/** The groups of the base's spec (for the variant's config) that the variant no longer declares. */
export function removedGroups({ plugin, base, config }: VariantSubject): string[] {
  const kept = new Set(Object.keys(plugin.symmetry(config).groups));
  return Object.keys(base.symmetry(config).groups).filter((name) => !kept.has(name));
}

/**
 * What a reduced-symmetry variant promises: for each group of the base architecture that it no
 * longer declares, a random non-identity element of that group alone (acting as the base's spec
 * says) changes the variant's outputs. Returns the largest logit change per removed group; each
 * must be clearly above float noise. With `trainingStep`, the parameters first take one SGD step
 * on a seeded random batch, so what breaks the symmetry (fixed entries, fixed matrices) must
 * survive training rather than live in trainable parameters that a step could even out.
 */
export function removedSymmetryOutputChanges(
  subject: VariantSubject,
  options: { trainingStep?: boolean } = {},
): Record<string, number> {
  const { plugin, base, config, seed = 0, batch = 8 } = subject;
  const baseSpec = base.symmetry(config);
  const changes: Record<string, number> = {};
  const initial = plugin.init(config, seed);
  const params = options.trainingStep ? oneTrainingStep(subject, initial) : initial;
  try {
    for (const group of removedGroups(subject)) {
      const spec = groupFamily(baseSpec, group);
      const g = nonIdentityElement(spec, new Rng(seed).fork(`removed ${group}`));
      const moved = transform(params, spec, g);
      changes[group] = logitsDifference(subject, params, moved, batch);
      disposeParams(moved);
    }
  } finally {
    if (params !== initial) disposeParams(params);
    disposeParams(initial);
  }
  return changes;
}

/**
 * A seeded random input batch for `subject`: the plugin's own `randomInput`, else Gaussian samples
 * of its input shape.
 */
export function randomInputOf({ plugin, config, seed = 0 }: ConformanceSubject, batch: number): tf.Tensor {
  if (plugin.randomInput) return plugin.randomInput(config, batch, seed);
  const shape = [batch, ...plugin.inputShape(config)];
  return tf.tensor(new Rng(seed).fork('input').normalArray(shape.reduce((p, q) => p * q, 1)), shape);
}

/** Params after one full-batch SGD step (learning rate 0.1) on seeded random inputs and labels. */
export function oneTrainingStep(subject: ConformanceSubject, params: Params): Params {
  const { plugin, config, seed = 0, batch = 8 } = subject;
  const x = randomInputOf(subject, batch);
  const [rows, classes] = tf.tidy(() => plugin.apply(config, params, x).logits.shape as [number, number]);
  const rng = new Rng(seed).fork('training step');
  const split = {
    x: x.dataSync() as Float32Array,
    y: Int32Array.from({ length: rows }, () => Math.floor(rng.next() * classes)),
    count: batch,
    labelsPerSample: rows / batch,
  };
  x.dispose();
  return train(plugin, config, params, split, {
    epochs: 1,
    batchSize: batch,
    learningRate: 0.1,
    optimizer: 'sgd',
    momentum: 0,
    seed,
  }).params;
}

/** `spec` restricted to `group` and the groups batched over it: one group as it acts on its own. */
function groupFamily(spec: SymmetrySpec, group: string): SymmetrySpec {
  return restrictSpec(spec, [group, ...groupsBatchedOver(spec, group)]);
}

/** A random element other than the identity (drawn again while the draw is the identity). */
function nonIdentityElement(spec: SymmetrySpec, rng: Rng): GroupElement {
  const unit = identity(spec);
  for (let attempt = 0; attempt < 100; attempt++) {
    const g = random(spec, rng.fork(String(attempt)));
    if (!elementsEqual(g, unit)) return g;
  }
  throw new Error(`groups ${Object.keys(spec.groups).join(', ')} have only the identity`);
}

/**
 * For each top-level group of `spec` (with the groups batched over it), the largest change of the
 * logits when `params` move by `element` restricted to that group alone: where a spec's actions
 * break a function, the groups with a clearly non-zero change are the ones at fault.
 */
export function outputChangeByGroup(
  subject: ConformanceSubject,
  params: Params,
  spec: SymmetrySpec,
  element: GroupElement,
): Record<string, number> {
  const changes: Record<string, number> = {};
  for (const group of topLevelGroups(spec)) {
    const restricted = groupFamily(spec, group);
    const moved = transform(params, restricted, element);
    changes[group] = logitsDifference(subject, params, moved, subject.batch ?? 8);
    disposeParams(moved);
  }
  return changes;
}

/**
 * The groups whose random element, alone, changes the plugin's logits by more than `tolerance`,
 * as `group: change`: empty when the spec's every group leaves the function unchanged.
 */
export function groupsBreakingInvariance(subject: ConformanceSubject, tolerance: number): string[] {
  const { plugin, config, seed = 0 } = subject;
  const spec = plugin.symmetry(config);
  return withParams(subject, (params) => {
    const changes = outputChangeByGroup(subject, params, spec, random(spec, new Rng(seed).fork('element')));
    return Object.entries(changes)
      .filter(([, change]) => change > tolerance)
      .map(([group, change]) => {
        const batched = groupsBatchedOver(spec, group);
        return `${group}${batched.length ? ` (with ${batched.join(', ')} batched over it)` : ''}: ${change}`;
      });
  });
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

/** What `selfMatch` found: whether a matcher recovered g⁻¹ exactly from B = g·A. */
export interface SelfMatchResult {
  /** The groups that were matched: every group the matcher supports. */
  groups: string[];
  /** Whether the matcher returned exactly g⁻¹ for B = g·A. */
  recovered: boolean;
  /** Largest |A − match(A, B)·B| after alignment. */
  residual: number;
}

/**
 * Matches θ against a copy moved by a random element of the groups the matcher supports and
 * reports whether it recovers that element: permutations exactly, matrices to 1e-4 (the
 * parameters are float32). Groups it does not support stay at the identity.
 */
export function selfMatch(subject: ConformanceSubject, matcher: Matcher): SelfMatchResult {
  const { plugin, config, seed = 0 } = subject;
  const full = plugin.symmetry(config);
  const groups = matchableGroups(full, matcher);
  const spec = restrictSpec(full, groups);
  return withParams(subject, (params) => {
    const g: GroupElement = random(spec, new Rng(seed).fork('element'));
    const moved = transform(params, spec, g);
    const result = runMatcher(matcher, spec, params, moved, { seed, groups });
    const aligned = transform(moved, spec, result.element);
    const residual = maxAbsDifference(params, aligned);
    disposeParams(moved);
    disposeParams(aligned);
    return { groups, recovered: elementsEqual(result.element, inverse(spec, g), 1e-4), residual };
  });
}

/** The groups of `spec` a matcher can handle on its own. */
export function matchableGroups(spec: SymmetrySpec, matcher: Matcher): string[] {
  const view = stackedSpec(spec);
  return Object.keys(spec.groups).filter((name) => supports(matcher, view, name));
}

function withParams<T>({ plugin, config, seed = 0 }: ConformanceSubject, body: (params: Params) => T): T {
  const params = plugin.init(config, seed);
  try {
    return body(params);
  } finally {
    disposeParams(params);
  }
}

/**
 * For a plugin with a canonical form: the largest |logits(θ) − logits(canonical θ)| over a random
 * batch, for parameters after one training step (so norm gains and biases are not at their
 * initial 1 and 0), and the same for canonicalising the canonical form again. With `form`, the
 * same for that entry of the plugin's `forms`, which must also hold for the rewritten config.
 */
export function canonicalFormChange(subject: ConformanceSubject, form?: string): { change: number; again: number } {
  const { plugin, config } = subject;
  const rewrite = formRewrite(plugin, form);
  const initial = plugin.init(config, subject.seed ?? 0);
  const trained = oneTrainingStep(subject, initial);
  const once = rewrite(config, trained);
  const twice = rewrite(once.config, once.params);
  const name = form ?? 'canonical';
  try {
    if (form && !plugin.forms!.find((f) => f.name === form)!.holds(once.config))
      throw new Error(`${plugin.id}: the config its form '${form}' writes is not in that form`);
    // One seeded batch through the trained model, its canonical form, and that form's own.
    const result = tf.tidy(() => {
      const x = randomInputOf(subject, subject.batch ?? 8);
      const forms: Array<[unknown, Params]> = [
        [config, trained],
        [once.config, once.params],
        [twice.config, twice.params],
      ];
      const [base, first, second] = forms.map(([c, params]) => plugin.apply(c, params, x).logits);
      const largest = (p: tf.Tensor, q: tf.Tensor) => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0];
      return { change: largest(base, first), again: largest(first, second) };
    });
    validateSpec(plugin.symmetry(once.config), shapesOf(once.params), `${plugin.id} (${name} form)`);
    return result;
  } finally {
    [initial, trained, once.params, twice.params].forEach(disposeParams);
  }
}

/** The rewrite into `form` (one of the plugin's `forms`), or into its canonical form without one. */
function formRewrite(plugin: AnyArchitecture, form?: string): NonNullable<AnyArchitecture['canonicalize']> {
  if (form === undefined) {
    if (!plugin.canonicalize) throw new Error(`${plugin.id} declares no canonical form`);
    return (c, p) => plugin.canonicalize!(c, p);
  }
  const found = plugin.forms?.find((f) => f.name === form);
  if (!found) throw new Error(`${plugin.id} declares no form '${form}'`);
  return (c, p) => found.apply(c, p);
}
