import * as tf from '@tensorflow/tfjs';
import { composedGelu, composedLayerNorm } from '../backend/composed-kernels';
import { activeBackendHas, GELU, GELU_GRAD, LAYER_NORM, LAYER_NORM_GRAD } from '../backend/kernel-names';
import { Rng } from '../random/rng';

/**
 * The fused kernels a backend may register (kernel-names.ts) against the tfjs operations they
 * replace, on the active backend: values and gradients, on shapes whose sizes are not multiples
 * of 4 (so vector loops' tails are covered). A kernel the backend does not register is not checked.
 */

/** Largest |fused − composed| of a value and of each gradient, by name. */
export type KernelDeviation = Record<string, number>;

function largestDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/**
 * GELU and GELU_GRAD against `composedGelu` and its tfjs gradient on 3 × 5 × 7 values, x from
 * N(0, 3²) and the extremes ±12 and 0; undefined where the backend registers no GELU.
 */
export function geluKernelDeviation(): KernelDeviation | undefined {
  if (!activeBackendHas(GELU)) return undefined;
  return tf.tidy(() => {
    const rng = new Rng(11);
    const values = rng.normalArray(105).map((v) => 3 * v);
    values.set([12, -12, 0]);
    const x = tf.tensor3d(values, [3, 5, 7]);
    const dy = tf.tensor3d(rng.normalArray(105), [3, 5, 7]);
    const fused = tf.engine().runKernel(GELU, { x }) as tf.Tensor;
    const fusedGradient = tf.engine().runKernel(GELU_GRAD, { x, dy }) as tf.Tensor;
    const gradient = tf.grad((input: tf.Tensor) => composedGelu(input))(x, dy);
    return { value: largestDifference(fused, composedGelu(x)), gradient: largestDifference(fusedGradient, gradient) };
  });
}

/**
 * LAYER_NORM and LAYER_NORM_GRAD against LayerNorm composed of tfjs's moments (ε 1e-5) and its
 * tfjs gradients in x, γ and β, on 6 × 5 rows of 13 features with a random γ, β and upstream
 * gradient; undefined where the backend registers no LAYER_NORM.
 */
export function layerNormKernelDeviation(): KernelDeviation | undefined {
  if (!activeBackendHas(LAYER_NORM)) return undefined;
  const epsilon = 1e-5;
  return tf.tidy(() => {
    const rng = new Rng(12);
    const x = tf.tensor3d(
      rng.normalArray(6 * 5 * 13).map((v, i) => 2 * v + (i % 3)),
      [6, 5, 13],
    );
    const gamma = tf.tensor1d(rng.normalArray(13));
    const beta = tf.tensor1d(rng.normalArray(13));
    const dy = tf.tensor3d(rng.normalArray(6 * 5 * 13), [6, 5, 13]);
    const composed = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => composedLayerNorm(input, g, b, epsilon);
    const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
    const [dx, dGamma, dBeta] = tf.engine().runKernel(LAYER_NORM_GRAD, { x, gamma, dy, mean, rstd }) as tf.Tensor[];
    const expected = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => composed(a, g, b))([x, gamma, beta], dy);
    return {
      value: largestDifference(y, composed(x, gamma, beta)),
      x: largestDifference(dx, expected[0]),
      gamma: largestDifference(dGamma, expected[1]),
      beta: largestDifference(dBeta, expected[2]),
    };
  });
}

/** Each fused kernel the active backend registers, where it is 1e-5 or more away from its reference. */
export function fusedKernelFailures(): string[] {
  const checks: Array<[string, KernelDeviation | undefined]> = [
    [GELU, geluKernelDeviation()],
    [LAYER_NORM, layerNormKernelDeviation()],
  ];
  return checks.flatMap(([kernel, deviation]) =>
    Object.entries(deviation ?? {})
      .filter(([, d]) => !(d < 1e-5))
      .map(([what, d]) => `${kernel}: its ${what} is ${d} away from tfjs's composed operations`),
  );
}
