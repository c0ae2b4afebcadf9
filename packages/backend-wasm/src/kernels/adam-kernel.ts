import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP, type AdamStepAttributes } from '@weightspace/core';
import { vectorKernels } from '../vector/vector-kernels';
import { addressOf, perBackend, registerWasmKernels } from './wasm-backend-internals';

/**
 * Registers ADAM_STEP on the wasm backend: inputs {theta, m, v, g} (float32, one shape), outputs
 * [θ', m', v'] (see VectorKernels.adamStep). Returns false where the backend's internals are not
 * the expected ones; `Adam` then runs the step as separate operations.
 */
export function installWasmAdamKernel(): boolean {
  const kernelsFor = perBackend((internals) => vectorKernels(internals.wasm.asm.memory));
  return registerWasmKernels({
    [ADAM_STEP]: (args, internals) => {
      const { theta, m, v, g } = args.inputs as Record<'theta' | 'm' | 'v' | 'g', tf.TensorInfo>;
      const a = args.attrs as Record<keyof AdamStepAttributes, number>;
      const outputs = [theta, m, v].map((t) => internals.makeOutput([...t.shape], 'float32'));
      const n = tf.util.sizeFromShape(theta.shape);
      const [at, mAt, vAt, gAt] = [theta, m, v, g].map((t) => addressOf(internals, t));
      const [thetaOut, mOut, vOut] = outputs.map((t) => addressOf(internals, t));
      kernelsFor(internals).adamStep(
        at,
        mAt,
        vAt,
        gAt,
        thetaOut,
        mOut,
        vOut,
        n,
        a.learningRate,
        a.beta1,
        a.beta2,
        a.epsilon,
        a.correction1,
        a.correction2,
      );
      return outputs;
    },
  });
}
