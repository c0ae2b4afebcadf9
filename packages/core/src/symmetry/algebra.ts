import type { Rng } from '../random/rng';
import {
  type DenseMatrix,
  identityMatrix,
  invert,
  maxAbsDiff,
  multiply,
  randomInvertible,
  randomOrthogonal,
  transpose,
} from './dense-matrix';
import type { GroupElement, GroupValue, MatrixValue, PermutationValue } from './element';
import { type GroupDeclaration, isPermutationKind, type SymmetrySpec, unhandledKind } from './spec';

/**
 * The group algebra of any spec: identity, random elements, composition and inverse. Pure
 * functions of data; `transform` (in transform.ts) is the action on parameters.
 *
 * Convention: `compose(spec, first, second)` is the element whose action equals transforming by
 * `first` and then by `second`.
 */

type PlainValue = PermutationValue | MatrixValue;

function plainIdentity(decl: GroupDeclaration): PlainValue {
  return isPermutationKind(decl.kind)
    ? { kind: 'permutation', perm: identityPerm(decl.size) }
    : { kind: 'matrix', matrix: identityMatrix(decl.size) };
}

function plainRandom(decl: GroupDeclaration, rng: Rng): PlainValue {
  switch (decl.kind) {
    case 'permutation':
    case 'block-permutation':
      return { kind: 'permutation', perm: rng.permutation(decl.size) };
    case 'orthogonal':
      return { kind: 'matrix', matrix: randomOrthogonal(decl.size, rng) };
    case 'invertible':
      return { kind: 'matrix', matrix: randomInvertible(decl.size, rng) };
    default:
      return unhandledKind(decl);
  }
}

/** Apply `first` then `second`: perms compose as r[j] = p1[p2[j]], matrices as M2·M1. */
function plainCompose(first: PlainValue, second: PlainValue): PlainValue {
  if (first.kind === 'permutation' && second.kind === 'permutation') {
    const r = new Int32Array(first.perm.length);
    for (let j = 0; j < r.length; j++) r[j] = first.perm[second.perm[j]];
    return { kind: 'permutation', perm: r };
  }
  if (first.kind === 'matrix' && second.kind === 'matrix') {
    return { kind: 'matrix', matrix: multiply(second.matrix, first.matrix) };
  }
  throw new Error('cannot compose a permutation with a matrix value');
}

function plainInverse(value: PlainValue, decl: GroupDeclaration): PlainValue {
  if (value.kind === 'permutation') return { kind: 'permutation', perm: invertPerm(value.perm) };
  return { kind: 'matrix', matrix: matrixInverse(decl, value.matrix) };
}

/**
 * The inverse of a matrix group's element. Orthogonal: the transpose, which is exact and keeps
 * the result orthogonal to the last bit; invertible: Gauss–Jordan.
 */
export function matrixInverse(decl: GroupDeclaration, m: DenseMatrix): DenseMatrix {
  switch (decl.kind) {
    case 'orthogonal':
      return transpose(m);
    case 'invertible':
      return invert(m);
    case 'permutation':
    case 'block-permutation':
      throw new Error(`group of kind '${decl.kind}' has no matrix values`);
    default:
      return unhandledKind(decl);
  }
}

function outerSize(spec: SymmetrySpec, decl: GroupDeclaration): number {
  return spec.groups[decl.batchedOver as string].size;
}

/**
 * The identity element of a spec's group: it leaves every parameter as it is.
 *
 * @param spec the symmetry spec
 * @returns the element that leaves every parameter as it is
 * @example
 * ```ts
 * import { identity, toyPerceptron, transform } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const same = transform(toyPerceptron.init(config, 0), spec, identity(spec));
 * console.log(Object.keys(same));
 * ```
 */
export function identity(spec: SymmetrySpec): GroupElement {
  const element: GroupElement = {};
  for (const [name, decl] of Object.entries(spec.groups)) {
    element[name] =
      decl.batchedOver === undefined
        ? plainIdentity(decl)
        : { kind: 'batched', items: Array.from({ length: outerSize(spec, decl) }, () => plainIdentity(decl)) };
  }
  return element;
}

/**
 * A random element: uniform permutations, Haar orthogonals, well-conditioned invertibles.
 *
 * @param spec the symmetry spec whose group the element belongs to
 * @param rng the seeded generator it is drawn from
 * @returns one value per group of the spec
 * @example
 * ```ts
 * import { random, Rng, toyPerceptron, transform } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const g = random(spec, new Rng(7));
 * const moved = transform(toyPerceptron.init(config, 0), spec, g); // the same function, other parameters
 * console.log(Object.keys(moved));
 * ```
 */
export function random(spec: SymmetrySpec, rng: Rng): GroupElement {
  const element: GroupElement = {};
  for (const [name, decl] of Object.entries(spec.groups)) {
    const groupRng = rng.fork(name);
    element[name] =
      decl.batchedOver === undefined
        ? plainRandom(decl, groupRng)
        : { kind: 'batched', items: Array.from({ length: outerSize(spec, decl) }, () => plainRandom(decl, groupRng)) };
  }
  return element;
}

/**
 * The element "first, then second" of a spec's group: transforming by it equals transforming by
 * first, then by second.
 *
 * @param spec the symmetry spec
 * @param first the element applied first
 * @param second the element applied after it
 * @returns the element that applies first, then second
 * @example
 * ```ts
 * import { compose, random, Rng, toyPerceptron, transform } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const [g, h] = [random(spec, new Rng(1)), random(spec, new Rng(2))];
 * const params = toyPerceptron.init(config, 0);
 * // transform(params, spec, compose(spec, g, h)) equals transform(transform(params, spec, g), spec, h)
 * console.log(transform(params, spec, compose(spec, g, h)));
 * ```
 */
export function compose(spec: SymmetrySpec, first: GroupElement, second: GroupElement): GroupElement {
  const out: GroupElement = {};
  for (const [name, decl] of Object.entries(spec.groups)) {
    const a = first[name];
    const b = second[name];
    if (decl.batchedOver === undefined) {
      out[name] = plainCompose(asPlain(a, name), asPlain(b, name));
      continue;
    }
    // Item k (indexed by the unit's position in the original input) is first's item k followed by
    // second's item at the position where first moved unit k: p1⁻¹[k].
    const outerFirst = asPlain(first[decl.batchedOver], decl.batchedOver);
    if (outerFirst.kind !== 'permutation') throw new Error(`group '${name}' is batched over a non-permutation group`);
    const moved = invertPerm(outerFirst.perm);
    const itemsA = asBatched(a, name);
    const itemsB = asBatched(b, name);
    out[name] = { kind: 'batched', items: itemsA.map((item, k) => plainCompose(item, itemsB[moved[k]])) };
  }
  return out;
}

/**
 * The inverse of an element of a spec's group: transforming by g, then by its inverse, gives the
 * parameters back.
 *
 * @param spec the symmetry spec
 * @param element the element to invert
 * @returns g⁻¹, with compose(spec, g, g⁻¹) the identity
 * @example
 * ```ts
 * import { compose, identity, inverse, random, Rng, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const g = random(spec, new Rng(3));
 * console.log(compose(spec, g, inverse(spec, g)), identity(spec)); // the same
 * ```
 */
export function inverse(spec: SymmetrySpec, element: GroupElement): GroupElement {
  const out: GroupElement = {};
  for (const [name, decl] of Object.entries(spec.groups)) {
    const value = element[name];
    if (decl.batchedOver === undefined) {
      out[name] = plainInverse(asPlain(value, name), decl);
      continue;
    }
    const outer = asPlain(element[decl.batchedOver], decl.batchedOver);
    if (outer.kind !== 'permutation') throw new Error(`group '${name}' is batched over a non-permutation group`);
    const items = asBatched(value, name);
    out[name] = { kind: 'batched', items: items.map((_, m) => plainInverse(items[outer.perm[m]], decl)) };
  }
  return out;
}

/** True when both elements agree: permutations exactly, matrices within `tolerance`. */
export function elementsEqual(a: GroupElement, b: GroupElement, tolerance = 1e-9): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => valuesEqual(a[name], b[name], tolerance));
}

function valuesEqual(a: GroupValue | undefined, b: GroupValue | undefined, tolerance: number): boolean {
  if (a === undefined || b === undefined || a.kind !== b.kind) return false;
  if (a.kind === 'permutation' && b.kind === 'permutation') {
    return a.perm.length === b.perm.length && a.perm.every((v, i) => v === b.perm[i]);
  }
  if (a.kind === 'matrix' && b.kind === 'matrix') {
    return a.matrix.n === b.matrix.n && maxAbsDiff(a.matrix, b.matrix) <= tolerance;
  }
  if (a.kind === 'batched' && b.kind === 'batched') {
    return a.items.length === b.items.length && a.items.every((item, i) => valuesEqual(item, b.items[i], tolerance));
  }
  return false;
}

/** The identity permutation of n units. */
export function identityPerm(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/** The inverse permutation: q[p[i]] = i. */
export function invertPerm(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]] = i;
  return inv;
}

function asPlain(value: GroupValue | undefined, name: string): PlainValue {
  if (value === undefined) throw new Error(`element has no value for group '${name}'`);
  if (value.kind === 'batched') throw new Error(`group '${name}' is not batched but its value is`);
  return value;
}

function asBatched(value: GroupValue | undefined, name: string): ReadonlyArray<PlainValue> {
  if (value === undefined) throw new Error(`element has no value for group '${name}'`);
  if (value.kind !== 'batched') throw new Error(`group '${name}' is batched but its value is not`);
  return value.items;
}
