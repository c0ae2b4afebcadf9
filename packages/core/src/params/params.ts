import * as tf from '@tensorflow/tfjs';
import { CheckpointError } from '../errors/errors';
import { type HostReads, readSynchronously } from './host-reads';

/**
 * A named, ordered set of tensors: a state dict. Names and layouts follow PyTorch's `state_dict`
 * (`layers.0.weight` of shape `[out, in]`), so checkpoints move through safetensors unchanged.
 */
export type Params = Record<string, tf.Tensor>;

/** Parameter shapes by name: what a spec is validated against and a config is inferred from. */
export type ParamShapes = Record<string, readonly number[]>;

/** The shape of every tensor of Params, by name (what specs are validated against). */
export function shapesOf(params: Params): ParamShapes {
  const shapes: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(params)) shapes[name] = t.shape.slice();
  return shapes;
}

/**
 * Frees every tensor of Params.
 *
 * @param params the parameters to free; do not use them afterwards
 * @example
 * ```ts
 * import { disposeParams, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const params = toyPerceptron.init(config, 0);
 * disposeParams(params);
 * ```
 */
export function disposeParams(params: Params): void {
  for (const t of Object.values(params)) t.dispose();
}

/** A deep copy of Params: new tensors with the same names, shapes and values. */
export function cloneParams(params: Params): Params {
  const out: Params = {};
  for (const [name, t] of Object.entries(params)) out[name] = t.clone();
  return out;
}

/** Keeps every tensor of `params` out of the enclosing `tf.tidy`. */
export function keepParams(params: Params): Params {
  for (const t of Object.values(params)) tf.keep(t);
  return params;
}

/**
 * Throws unless `b` has exactly the names and shapes of `a`; `what` names the two sides in the
 * message (e.g. files), so the user sees which checkpoint is off.
 */
export function assertSameStructure(a: Params, b: Params, what: [string, string] = ['A', 'B']): void {
  const namesA = Object.keys(a);
  const namesB = new Set(Object.keys(b));
  for (const name of namesA) {
    if (!namesB.has(name)) throw new CheckpointError(`parameter '${name}' is in ${what[0]} but not in ${what[1]}`);
    const sa = a[name].shape.join('x');
    const sb = b[name].shape.join('x');
    if (sa !== sb)
      throw new CheckpointError(`parameter '${name}' has shape [${sa}] in ${what[0]} but [${sb}] in ${what[1]}`);
    namesB.delete(name);
  }
  for (const name of namesB) throw new CheckpointError(`parameter '${name}' is in ${what[1]} but not in ${what[0]}`);
}

/** Sum over parameters of the Frobenius inner product <A_k, B_k>, in float64 on the host. */
export function innerProduct(a: Params, b: Params): number {
  return readSynchronously(innerProductReads(a, b));
}

/** `innerProduct` as host reads, for backends that read asynchronously (see HostReads). */
export function* innerProductReads(a: Params, b: Params): HostReads<number> {
  let total = 0;
  for (const name of Object.keys(a)) {
    const x = yield a[name];
    const y = yield b[name];
    for (let i = 0; i < x.length; i++) total += x[i] * y[i];
  }
  return total;
}

/** Euclidean distance between two parameter sets, over all parameters. */
export function l2Distance(a: Params, b: Params): number {
  let total = 0;
  for (const name of Object.keys(a)) {
    const x = a[name].dataSync();
    const y = b[name].dataSync();
    for (let i = 0; i < x.length; i++) total += (x[i] - y[i]) ** 2;
  }
  return Math.sqrt(total);
}

/** Largest absolute elementwise difference over all parameters. */
export function maxAbsDifference(a: Params, b: Params): number {
  let worst = 0;
  for (const name of Object.keys(a)) {
    const x = a[name].dataSync();
    const y = b[name].dataSync();
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  }
  return worst;
}
