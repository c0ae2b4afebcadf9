import * as tf from '@tensorflow/tfjs';
import { LAYER_NORM, LAYER_NORM_GRAD } from '@weightspace/core';
import { addressOf, internalsOf, type WasmBackendInternals } from './wasm-backend-internals';

/** Float32 views of tensors in the heap, made after every output is allocated (which may grow it). */
function views(internals: WasmBackendInternals, tensors: tf.TensorInfo[]): Float32Array[] {
  const buffer = internals.wasm.asm.memory.buffer;
  return tensors.map((t) => new Float32Array(buffer, addressOf(internals, t), tf.util.sizeFromShape(t.shape)));
}

/**
 * Registers LAYER_NORM and LAYER_NORM_GRAD on the wasm backend: each row of the last axis in one
 * loop (statistics in float64), where tfjs composes LayerNorm of a dozen elementwise and reduction
 * operations forward and about twice as many backward, each a pass over the activations and a
 * call through the engine. Returns false where the backend's internals are not the expected ones;
 * LayerNorm then runs as those operations.
 */
export function installWasmLayerNormKernels(): boolean {
  if (!internalsOf(tf.findBackend('wasm'))) return false;
  if (tf.getKernel(LAYER_NORM, 'wasm')) return true;
  tf.registerKernel({
    kernelName: LAYER_NORM,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
      const { epsilon } = args.attrs as unknown as { epsilon: number };
      const internals = internalsOf(args.backend)!;
      const d = x.shape[x.shape.length - 1];
      const rowShape = x.shape.slice(0, -1);
      const outputs = [
        internals.makeOutput([...x.shape], 'float32'),
        internals.makeOutput(rowShape, 'float32'),
        internals.makeOutput(rowShape, 'float32'),
      ];
      const [xs, g, b, y, means, rstds] = views(internals, [x, gamma, beta, ...outputs]);
      for (let row = 0, at = 0; row < means.length; row++, at += d) {
        let sum = 0;
        for (let j = 0; j < d; j++) sum += xs[at + j];
        const mean = sum / d;
        let squares = 0;
        for (let j = 0; j < d; j++) {
          const centred = xs[at + j] - mean;
          squares += centred * centred;
        }
        const rstd = 1 / Math.sqrt(squares / d + epsilon);
        for (let j = 0; j < d; j++) y[at + j] = (xs[at + j] - mean) * rstd * g[j] + b[j];
        means[row] = mean;
        rstds[row] = rstd;
      }
      return outputs;
    },
  });
  tf.registerKernel({
    kernelName: LAYER_NORM_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, gamma, dy, mean, rstd } = args.inputs as Record<'x' | 'gamma' | 'dy' | 'mean' | 'rstd', tf.TensorInfo>;
      const internals = internalsOf(args.backend)!;
      const d = x.shape[x.shape.length - 1];
      const outputs = [
        internals.makeOutput([...x.shape], 'float32'),
        internals.makeOutput([d], 'float32'),
        internals.makeOutput([d], 'float32'),
      ];
      const [xs, g, dys, means, rstds, dx, dGamma, dBeta] = views(internals, [x, gamma, dy, mean, rstd, ...outputs]);
      // With x̂ = (x − μ)·r and g = dy·γ per row: dx = r·(g − mean(g) − x̂·mean(g·x̂)); dγ = Σ dy·x̂
      // and dβ = Σ dy over the rows.
      const gammaSum = new Float64Array(d);
      const betaSum = new Float64Array(d);
      for (let row = 0, at = 0; row < means.length; row++, at += d) {
        const mu = means[row];
        const r = rstds[row];
        let gSum = 0;
        let gxSum = 0;
        for (let j = 0; j < d; j++) {
          const normalised = (xs[at + j] - mu) * r;
          const upstream = dys[at + j];
          const scaled = upstream * g[j];
          gSum += scaled;
          gxSum += scaled * normalised;
          gammaSum[j] += upstream * normalised;
          betaSum[j] += upstream;
        }
        const gMean = gSum / d;
        const gxMean = gxSum / d;
        for (let j = 0; j < d; j++) {
          const normalised = (xs[at + j] - mu) * r;
          dx[at + j] = r * (dys[at + j] * g[j] - gMean - normalised * gxMean);
        }
      }
      dGamma.set(gammaSum);
      dBeta.set(betaSum);
      return outputs;
    },
  });
  return true;
}
