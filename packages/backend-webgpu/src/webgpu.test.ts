import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import {
  cpuBackend,
  crossEntropy,
  curvePointsAsync,
  EvaluationBatches,
  Rng,
  toyPerceptron,
  trainAsync,
  weightMatching,
  weightMatchingAsync,
  WeightspaceError,
} from '@weightspace/core';
import { dawnNodePath, webgpuBackend } from './webgpu-backend';

/**
 * The webgpu backend against the cpu backend: the same forward pass, gradients, training, curve
 * and weight matching within float tolerance. CI installs Mesa's software Vulkan (llvmpipe) and sets WEIGHTSPACE_REQUIRE_WEBGPU=1,
 * so there the adapter must exist; elsewhere, without one, the comparisons show as skipped with
 * the reason, and activation must fail with a clear error.
 */
const config = { input: 20, hidden: [16, 12] as [number, number], classes: 5 };

/** Reads back asynchronously: the webgpu backend has no synchronous read in Node. */
async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

async function mlpForwardAndGradients(): Promise<{ logits: number[]; grads: Record<string, number[]> }> {
  const rng = new Rng(3);
  const params = toyPerceptron.init(config, 7);
  const x = tf.tensor2d(rng.normalArray(32 * 20), [32, 20]);
  const y = tf.tensor1d(
    Int32Array.from({ length: 32 }, (_, i) => i % 5),
    'int32',
  );
  const names = Object.keys(params);
  const f = (...ts: tf.Tensor[]) => {
    const p = Object.fromEntries(names.map((n, i) => [n, ts[i]]));
    return crossEntropy(toyPerceptron.apply(config, p, x).logits, y);
  };
  const grads = tf.grads(f)(names.map((n) => params[n]));
  const logits = await read(toyPerceptron.apply(config, params, x).logits);
  const values = await Promise.all(grads.map(read));
  return { logits, grads: Object.fromEntries(names.map((n, i) => [n, values[i]])) };
}

async function convForwardAndFilterGradient(): Promise<{ out: number[]; filterGrad: number[] }> {
  const rng = new Rng(4);
  const x = tf.tensor4d(rng.normalArray(2 * 8 * 8 * 3), [2, 8, 8, 3]);
  const w = tf.tensor4d(rng.normalArray(3 * 3 * 3 * 4, 0.3), [3, 3, 3, 4]);
  const out = tf.conv2d(x, w, 1, 'same');
  const g = tf.grad((filter: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, filter as tf.Tensor4D, 1, 'same'))))(w);
  return { out: await read(out), filterGrad: await read(g) };
}

function expectClose(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1, ...b.map(Math.abs));
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-4 * scale));
}

/**
 * Why webgpu cannot run here, or null when an adapter exists. Asked in a child process before any
 * test is declared (jest decides skips synchronously), so this process's globals stay untouched.
 */
function webgpuUnavailable(): string | null {
  if (!webgpuBackend.available()) return 'the webgpu packages are not installed';
  const dawn = dawnNodePath();
  const probe = `const d = require(${JSON.stringify(dawn)}); Object.assign(globalThis, d.globals);
    d.create([]).requestAdapter().then((a) => process.exit(a ? 0 : 3), () => process.exit(4));`;
  try {
    execFileSync(process.execPath, ['-e', probe], { stdio: 'ignore', timeout: 60000 });
    return null;
  } catch (e) {
    const status = (e as { status?: number }).status;
    return status === 3
      ? 'no Vulkan adapter (no GPU driver, no Mesa 25 llvmpipe)'
      : `the adapter probe failed (exit ${status ?? 'signal'})`;
  }
}

const unavailable = webgpuUnavailable();
const required = process.env.WEIGHTSPACE_REQUIRE_WEBGPU === '1';
const gpuIt = unavailable && !required ? it.skip : it;

describe(unavailable ? `webgpu backend (skipped: ${unavailable})` : 'webgpu backend', () => {
  if (unavailable) {
    it('without an adapter, activation fails with a clear error', async () => {
      if (required) throw new Error(`WEIGHTSPACE_REQUIRE_WEBGPU=1 but ${unavailable}`);
      await expect(webgpuBackend.activate()).rejects.toThrow(WeightspaceError);
      await expect(webgpuBackend.activate()).rejects.toThrow(/webgpu: no adapter found/);
      expect(tf.getBackend()).not.toBe('webgpu');
    });
  }
  beforeAll(async () => {
    if (!unavailable) await webgpuBackend.activate();
  }, 120000);

  gpuIt(
    'matches cpu on an MLP forward pass and its gradients, and on a convolution and its filter gradient',
    async () => {
      expect(tf.getBackend()).toBe('webgpu');
      const gpuMlp = await mlpForwardAndGradients();
      const gpuConv = await convForwardAndFilterGradient();
      await cpuBackend.activate();
      const cpuMlp = await mlpForwardAndGradients();
      await cpuBackend.activate();
      const cpuConv = await convForwardAndFilterGradient();
      expectClose(gpuMlp.logits, cpuMlp.logits);
      for (const name of Object.keys(cpuMlp.grads)) expectClose(gpuMlp.grads[name], cpuMlp.grads[name]);
      expectClose(gpuConv.out, cpuConv.out);
      expectClose(gpuConv.filterGrad, cpuConv.filterGrad);
    },
    120000,
  );

  gpuIt(
    'trains and evaluates a curve with asynchronous reads, as cpu does',
    async () => {
      const run = async () => {
        const rng = new Rng(5);
        const count = 256;
        const split = {
          x: Float32Array.from(rng.normalArray(count * 20)),
          y: Int32Array.from({ length: count }, (_, i) => i % 5),
          count,
        };
        const initial = toyPerceptron.init(config, 2);
        const trained = await trainAsync(toyPerceptron, config, initial, split, {
          epochs: 2,
          batchSize: 64,
          learningRate: 1e-2,
          seed: 1,
        });
        const data = EvaluationBatches.from(split, [20], 100);
        const points = await curvePointsAsync(toyPerceptron, config, initial, trained.params, data, [0, 0.5, 1]);
        data.dispose();
        return { losses: trained.epochLosses, curve: points.flatMap((p) => [p.loss, p.accuracy]) };
      };
      await webgpuBackend.activate();
      const gpu = await run();
      await cpuBackend.activate();
      const cpu = await run();
      expectClose(gpu.losses, cpu.losses);
      expectClose(gpu.curve, cpu.curve);
      expect(gpu.losses[1]).toBeLessThan(gpu.losses[0]);
    },
    120000,
  );

  gpuIt(
    'weight-matches with asynchronous reads, finding what cpu finds',
    async () => {
      const spec = toyPerceptron.symmetry(config);
      const pair = () => [toyPerceptron.init(config, 11), toyPerceptron.init(config, 12)];
      await webgpuBackend.activate();
      const [a, b] = pair();
      const gpu = await weightMatchingAsync(spec, a, b, { seed: 3 });
      await cpuBackend.activate();
      const [a2, b2] = pair();
      const cpu = weightMatching(spec, a2, b2, { seed: 3 });
      expect(gpu.element).toEqual(cpu.element);
      expect(gpu.iterations).toBe(cpu.iterations);
      expectClose([gpu.objectiveBefore, gpu.objectiveAfter], [cpu.objectiveBefore, cpu.objectiveAfter]);
      // The descent did something: B moved towards A.
      expect(gpu.objectiveAfter).toBeGreaterThan(gpu.objectiveBefore);
    },
    120000,
  );
});
