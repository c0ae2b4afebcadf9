#!/usr/bin/env node
/**
 * GPU figures for the README's Performance section: the work of the CPU benchmark measured with
 * asynchronous reads only (the webgpu backend cannot read synchronously in Node), on webgpu and,
 * in the same process, on wasm. Random data of MNIST's shapes; the MLP is 784-512-512-512-10.
 *
 * Runs bundled (esbuild) on a machine without node_modules: WEIGHTSPACE_DAWN_NODE names dawn.node,
 * --wasm-dir the folder holding tfjs's .wasm files.
 *
 * Usage: node gpu-bench.js --out FILE [--backends webgpu,wasm] [--wasm-dir DIR] [--light]
 * (--light: few repetitions and no 4096² product or barrier curve, to check the script on a
 * software adapter.)
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The webgpu backend registers only if navigator.gpu exists when it loads: webgpuBackend.activate()
// sets that up and then loads it.
import { Adam, crossEntropy, lerp, type Params, writeJsonAtomic } from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import { webgpuBackend } from '@weightspace/backend-webgpu';
import { mlp } from '@weightspace/arch-mlp';
import { parseArgs } from 'node:util';

const config = { input: 784, hidden: [512, 512, 512], classes: 10 };

async function settle(t: tf.Tensor): Promise<void> {
  await t.data();
}

async function matMulGflops(n: number, reps: number): Promise<number> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  await settle(tf.matMul(a, b));
  const t = performance.now();
  let c: tf.Tensor = a;
  for (let r = 0; r < reps; r++) {
    const next = tf.matMul(a, b);
    if (c !== a) c.dispose();
    c = next;
  }
  await settle(c);
  return (2 * n ** 3 * reps) / ((performance.now() - t) / 1000) / 1e9;
}

async function trainStepMs(steps: number): Promise<number> {
  const params = mlp.init(config, 0);
  const vars: Record<string, tf.Variable> = {};
  for (const [k, v] of Object.entries(params)) vars[k] = tf.variable(v);
  const opt = new Adam(1e-3);
  const x = tf.randomUniform([512, 784], 0, 1, 'float32', 3);
  const y = tf.tensor1d(
    Int32Array.from({ length: 512 }, (_, i) => i % 10),
    'int32',
  );
  const step = () => opt.minimize(() => crossEntropy(mlp.apply(config, vars, x).logits, y), Object.values(vars));
  for (let i = 0; i < 3; i++) await settle(step());
  const t = performance.now();
  let loss: tf.Scalar = step();
  for (let i = 1; i < steps; i++) {
    loss.dispose();
    loss = step();
  }
  await settle(loss);
  return (performance.now() - t) / steps;
}

async function forwardMs(params: Params, x: tf.Tensor, reps: number): Promise<number> {
  await settle(tf.tidy(() => mlp.apply(config, params, x).logits));
  const t = performance.now();
  for (let r = 0; r < reps; r++) await settle(tf.tidy(() => mlp.apply(config, params, x).logits));
  return (performance.now() - t) / reps;
}

/** The 25-point interpolation curve on 10k samples, reading each point's loss and accuracy. */
async function barrierMs(a: Params, b: Params, x: tf.Tensor, y: tf.Tensor1D): Promise<number> {
  const t = performance.now();
  for (let k = 0; k < 25; k++) {
    const mixed = lerp(a, b, k / 24);
    const [loss, hits] = tf.tidy(() => {
      const logits = mlp.apply(config, mixed, x).logits;
      return [crossEntropy(logits, y), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'))];
    });
    await Promise.all([loss.data(), hits.data()]);
    tf.dispose([loss, hits, ...Object.values(mixed)]);
  }
  return performance.now() - t;
}

async function measure(backend: string, light: boolean): Promise<Record<string, number>> {
  if (backend === 'webgpu') await webgpuBackend.activate();
  else if (backend === 'wasm') await wasmBackend.activate();
  else {
    await tf.setBackend(backend);
    await tf.ready();
  }
  const gpu = backend === 'webgpu' && !light;
  const result: Record<string, number> = {};
  result.matMul1024Gflops = await matMulGflops(1024, gpu ? 50 : 3);
  if (gpu) result.matMul4096Gflops = await matMulGflops(4096, 20);
  const step = await trainStepMs(gpu ? 100 : 10);
  result.trainStepMs = step;
  result.trainSamplesPerSecond = 512 / (step / 1000);
  const a = mlp.init(config, 1);
  const b = mlp.init(config, 2);
  const x = tf.randomUniform([10000, 784], 0, 1, 'float32', 4);
  const y = tf.tensor1d(
    Int32Array.from({ length: 10000 }, (_, i) => i % 10),
    'int32',
  );
  result.forward10kMs = await forwardMs(a, x, gpu ? 20 : 2);
  if (!light) result.barrier25x10kMs = await barrierMs(a, b, x, y);
  return result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      backends: { type: 'string', default: 'webgpu,wasm' },
      'wasm-dir': { type: 'string' },
      light: { type: 'boolean', default: false },
    },
  });
  if (values['wasm-dir']) setWasmPaths(`${values['wasm-dir'] as string}/`);
  const results: Record<string, Record<string, number> | string> = {};
  for (const backend of (values.backends as string).split(',')) {
    try {
      results[backend] = await measure(backend, values.light as boolean);
    } catch (e) {
      results[backend] = `failed: ${(e as Error).message}`;
    }
    process.stdout.write(`${backend}: ${JSON.stringify(results[backend])}\n`);
  }
  if (values.out)
    writeJsonAtomic(values.out as string, { date: new Date().toISOString(), node: process.version, results });
}

main().catch((e: unknown) => {
  process.stderr.write(`gpu-bench: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
