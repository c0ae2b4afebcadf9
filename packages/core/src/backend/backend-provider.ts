import * as tf from '@tensorflow/tfjs';
import { WeightspaceError } from '../errors/errors';

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

/**
 * Whether `moduleName` can be found by `resolve` (a package's own `require.resolve`, so that each
 * backend package looks among its own dependencies): checks installation without loading.
 */
export function canResolve(resolve: (moduleName: string) => string, moduleName: string): boolean {
  try {
    resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

/** Selects a registered tfjs backend by name and waits until it is ready. */
export async function selectTfBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new WeightspaceError(`backend '${name}' failed to initialise`);
  await tf.ready();
}

/** Plain JavaScript: slow, exact reference. */
export const cpuBackend: BackendProvider = {
  id: 'cpu',
  description: 'plain JavaScript reference backend (slow)',
  preference: 40,
  available: () => true,
  async activate() {
    await selectTfBackend('cpu');
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
  available: () =>
    canResolve(require.resolve, '@tensorflow/tfjs-node-gpu') || canResolve(require.resolve, '@tensorflow/tfjs-node'),
  async activate() {
    require(
      canResolve(require.resolve, '@tensorflow/tfjs-node-gpu') ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node',
    );
    await selectTfBackend('tensorflow');
  },
};

/**
 * Activates the requested backend, or the most preferred available one, and returns its id.
 * An unknown or unavailable request is an error that lists the choices.
 *
 * @param providers the registered backends (`registry.backends()`)
 * @param requested a backend id, or none for the most preferred available one
 * @returns the id of the backend now active
 * @example
 * ```ts
 * import { activateBackend, coreModule, Registry } from '@weightspace/core';
 * void Registry.fromModules([coreModule]).then(async (registry) => {
 *   console.log(await activateBackend(registry.backends(), 'cpu')); // 'cpu'
 * });
 * ```
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
