import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { WeightspaceError } from '../errors/errors';
import { installConvFilterGradientAsConv } from './conv-gradient';
import { installWasmAdamKernel } from './wasm-kernels/adam-kernel';
import { installWasmGatherKernel } from './wasm-kernels/gather-kernel';
import { installWasmIdentityKernel } from './wasm-kernels/identity-kernel';
import { installWasmMatMulKernel } from './wasm-kernels/matmul-kernel';
import { installWasmSumKernel } from './wasm-kernels/sum-kernel';
import { installMatMulGradient } from './matmul-gradient';

/** A tensor backend that can be chosen at start-up. */
export interface BackendProvider {
  readonly id: string;
  readonly description: string;
  /** Lower is preferred when no backend is requested. */
  readonly preference: number;
  /** Whether the packages it needs are installed (checked without loading them). */
  available(): boolean;
  /** Loads, registers and selects the backend. */
  activate(): Promise<void>;
  /** How to make an unavailable backend available. */
  readonly installHint?: string;
  /** Used only when asked for by name (never picked by preference). */
  readonly explicitOnly?: boolean;
  /**
   * False for a backend that cannot read tensors synchronously in Node (webgpu): only code written
   * as host reads and driven asynchronously (`trainAsync`, `curvePointsAsync`,
   * `weightMatchingAsync`, the worker-thread tasks) runs on it. Default true.
   */
  readonly readsSynchronously?: boolean;
}

function resolvable(moduleName: string): boolean {
  try {
    require.resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

async function select(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new WeightspaceError(`backend '${name}' failed to initialise`);
  await tf.ready();
}

/**
 * WebAssembly with SIMD: the default CPU backend, ~30× faster than `cpu` for matMul. Activating it
 * also installs weightspace's own kernels (matMul, gather, leading-axis sum, a fused Adam step, a copy-free identity) and gradients that avoid the backend's slow and
 * missing kernels (convolution filter gradient as a convolution).
 */
export const wasmBackend: BackendProvider = {
  id: 'wasm',
  description: 'WebAssembly (SIMD, one core per process): the default CPU backend',
  preference: 30,
  available: () => resolvable('@tensorflow/tfjs-backend-wasm'),
  async activate() {
    require('@tensorflow/tfjs-backend-wasm');
    await select('wasm');
    // weightspace's matMul kernel where tfjs's internals allow it; otherwise XNNPACK's, whose
    // transpose flags the gradient must avoid.
    installMatMulGradient(!installWasmMatMulKernel());
    installWasmGatherKernel();
    installWasmSumKernel();
    installWasmIdentityKernel();
    installWasmAdamKernel();
    installConvFilterGradientAsConv();
  },
};

/** Plain JavaScript: slow, exact reference. */
export const cpuBackend: BackendProvider = {
  id: 'cpu',
  description: 'plain JavaScript reference backend (slow)',
  preference: 40,
  available: () => true,
  async activate() {
    await select('cpu');
    // The cpu backend advertises tfjs-node on its first tensor; the choice here is deliberate.
    const backend = tf.backend() as tf.KernelBackend & { firstUse?: boolean };
    backend.firstUse = false;
  },
};

/** TensorFlow's C library through tfjs-node(-gpu), used only where that package is installed. */
export const tensorflowBackend: BackendProvider = {
  id: 'tensorflow',
  description: 'libtensorflow through @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu (optional)',
  preference: 20,
  installHint: 'install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu (version 4.22.0) next to weightspace',
  available: () => resolvable('@tensorflow/tfjs-node-gpu') || resolvable('@tensorflow/tfjs-node'),
  async activate() {
    require(resolvable('@tensorflow/tfjs-node-gpu') ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
    await select('tensorflow');
  },
};

/**
 * A GPU through WebGPU: Dawn's Node bindings (the `webgpu` package, a prebuilt dawn.node) under
 * tfjs's webgpu backend. Needs a Vulkan driver: the GPU's, or Mesa's llvmpipe for correctness
 * checks without one. Used only when requested (`--backend webgpu`): a software adapter is far
 * slower than wasm, so it is never picked by preference.
 */
export const webgpuBackend: BackendProvider = {
  id: 'webgpu',
  description: 'GPU through WebGPU (Dawn via the webgpu package); needs a Vulkan driver; only on request',
  preference: 10,
  explicitOnly: true,
  readsSynchronously: false,
  installHint: 'install the webgpu and @tensorflow/tfjs-backend-webgpu (4.22.0) packages',
  available: () =>
    (Boolean(process.env.WEIGHTSPACE_DAWN_NODE) || resolvable('webgpu/package.json')) &&
    resolvable('@tensorflow/tfjs-backend-webgpu'),
  async activate() {
    // dawn.node itself, not the package's ESM wrapper: this code is CommonJS. WEIGHTSPACE_DAWN_NODE
    // points at a dawn.node elsewhere (a bundled deployment without node_modules).
    const platform = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
    const dawnPath =
      process.env.WEIGHTSPACE_DAWN_NODE ??
      path.join(path.dirname(require.resolve('webgpu/package.json')), 'dist', platform, 'dawn.node');
    const dawn = require(dawnPath) as {
      create: (flags: string[]) => { requestAdapter(): Promise<unknown> };
      globals: object;
    };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    // Node has no navigator; tfjs's webgpu backend looks for navigator.gpu.
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    if (!(await gpu.requestAdapter())) {
      throw new WeightspaceError(
        'webgpu: no adapter found (no GPU with a Vulkan driver; for a software one install Mesa 25 mesa-vulkan-drivers)',
      );
    }
    require('@tensorflow/tfjs-backend-webgpu');
    await select('webgpu');
  },
};

/**
 * Activates the requested backend, or the most preferred available one, and returns its id.
 * An unknown or unavailable request is an error that lists the choices.
 */
export async function activateBackend(providers: readonly BackendProvider[], requested?: string): Promise<string> {
  if (requested) {
    const provider = providers.find((p) => p.id === requested);
    if (!provider) {
      throw new WeightspaceError(
        `unknown backend '${requested}'; choose one of: ${providers.map((p) => p.id).join(', ')}`,
      );
    }
    if (!provider.available()) {
      throw new WeightspaceError(
        `backend '${requested}' is not available here${provider.installHint ? `: ${provider.installHint}` : ''}`,
      );
    }
    await provider.activate();
    return provider.id;
  }
  const ordered = providers.filter((p) => !p.explicitOnly).sort((a, b) => a.preference - b.preference);
  for (const provider of ordered) {
    if (provider.available()) {
      await provider.activate();
      return provider.id;
    }
  }
  throw new WeightspaceError('no tensor backend is available');
}

/**
 * Activates `requested` (as `activateBackend`) for work in worker threads, and leaves this thread
 * on a backend that reads synchronously: the same one, or, where it cannot (webgpu in Node), the
 * preferred one that can. Returns both ids.
 */
export async function activateBackendForThreads(
  providers: readonly BackendProvider[],
  requested?: string,
): Promise<{ threads: string; main: string }> {
  const threads = await activateBackend(providers, requested);
  if (providers.find((p) => p.id === threads)?.readsSynchronously !== false) return { threads, main: threads };
  return { threads, main: await activateBackend(providers.filter((p) => p.readsSynchronously !== false)) };
}
