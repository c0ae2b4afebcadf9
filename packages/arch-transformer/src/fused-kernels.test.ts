import * as tf from '@tensorflow/tfjs';
import {
  type AnyArchitecture,
  cpuBackend,
  GELU,
  GELU_GRAD,
  LAYER_NORM,
  LAYER_NORM_GRAD,
  paramsToHost,
  randomInputOf,
} from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import { gpt } from './gpt';
import { vit } from './vit';

/**
 * The transformers on the wasm backend, whose fused GELU and LayerNorm kernels replace tfjs's
 * composed operations, against the same models on the cpu backend (composed operations only): the
 * same loss and gradients, and the fused kernels did run.
 */
const subjects = [vit, gpt].flatMap((plugin) =>
  plugin.examples
    .map((config, k) => ({ plugin: plugin as AnyArchitecture, config, k }))
    .filter(({ config }) => (config as { norm: string }).norm === 'layernorm'),
);

/** The mean of the logits weighted by a fixed pattern (every logit gets a gradient) and its gradients. */
function lossAndGradients(
  plugin: AnyArchitecture,
  config: unknown,
): { loss: number; grads: Record<string, Float32Array> } {
  const params = plugin.init(config, 4);
  const x = randomInputOf({ plugin, config, seed: 5 }, 3);
  const names = Object.keys(params);
  const loss = (...tensors: tf.Tensor[]) => {
    const { logits } = plugin.apply(config, Object.fromEntries(names.map((n, i) => [n, tensors[i]])), x);
    const pattern = tf.sin(tf.range(0, logits.size).reshape(logits.shape));
    return tf.mean(tf.mul(logits, pattern)) as tf.Scalar;
  };
  const { value, grads: list } = tf.valueAndGrads(loss)(names.map((n) => params[n]));
  const grads = Object.fromEntries(names.map((n, i) => [n, list[i]]));
  const host = paramsToHost(grads);
  const result = {
    loss: value.dataSync()[0],
    grads: Object.fromEntries(names.map((n) => [n, Float32Array.from(host[n].data)])),
  };
  tf.dispose([value, x, ...Object.values(grads), ...Object.values(params)]);
  return result;
}

describe.each(subjects)('$plugin.id example $k', ({ plugin, config }) => {
  let reference: ReturnType<typeof lossAndGradients>;
  beforeAll(async () => {
    await cpuBackend.activate();
    reference = lossAndGradients(plugin, config);
    await wasmBackend.activate();
  });
  afterAll(() => cpuBackend.activate());

  it('runs the fused kernels on wasm and gets cpu’s loss and gradients (≤ 1e-5 of the largest)', async () => {
    let ours: ReturnType<typeof lossAndGradients> | undefined;
    const profile = await tf.profile(() => {
      ours = lossAndGradients(plugin, config);
    });
    expect(profile.kernelNames).toEqual(expect.arrayContaining([GELU, GELU_GRAD, LAYER_NORM, LAYER_NORM_GRAD]));
    expect(Math.abs(ours!.loss - reference.loss)).toBeLessThan(1e-5);
    const off = Object.entries(reference.grads).flatMap(([name, expected]) => {
      const scale = Math.max(...Array.from(expected, Math.abs));
      const worst = Math.max(...Array.from(expected, (e, i) => Math.abs(ours!.grads[name][i] - e)));
      return worst <= 1e-5 * scale + 1e-7 ? [] : [`${name}: ${worst} of ${scale}`];
    });
    expect(off).toEqual([]);
  });
});
