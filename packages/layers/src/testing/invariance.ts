import * as tf from '@tensorflow/tfjs';
import {
  type GroupDeclaration,
  type Params,
  random,
  Rng,
  type SymmetrySpec,
  transform,
  validateSpec,
  shapesOf,
} from '@weightspace/core';
import type { LayerAxes } from '../axes';

/**
 * The largest change of `forward`'s output when the parameters move by a random element of the
 * spec made of `groups` and `axes` (validated against the parameters first), and how far the
 * parameters moved: the first must vanish, the second must not.
 */
export function invariance(
  forward: (params: Params) => tf.Tensor,
  params: Params,
  groups: Record<string, GroupDeclaration>,
  axes: LayerAxes,
  seed = 1,
): { outputChange: number; paramsMoved: number } {
  const spec: SymmetrySpec = { groups, axes };
  validateSpec(spec, shapesOf(params), 'layer under test');
  const moved = transform(params, spec, random(spec, new Rng(seed)));
  return tf.tidy(() => ({
    outputChange: tf.max(tf.abs(tf.sub(forward(params), forward(moved)))).dataSync()[0],
    paramsMoved: Math.max(...Object.keys(params).map((k) => tf.max(tf.abs(tf.sub(params[k], moved[k]))).dataSync()[0])),
  }));
}

/** A seeded Gaussian tensor. */
export function gaussian(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.tensor(
    new Rng(seed).normalArray(
      shape.reduce((a, b) => a * b, 1),
      std,
    ),
    shape,
  );
}
