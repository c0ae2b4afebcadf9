import * as path from 'node:path';
import { type BackendProvider, canResolve, selectTfBackend, WeightspaceError } from '@weightspace/core';

/**
 * Where dawn.node is: WEIGHTSPACE_DAWN_NODE (a bundled deployment without node_modules), else the
 * prebuilt binary the `webgpu` package ships for this platform.
 */
export function dawnNodePath(): string {
  const platform = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
  return (
    process.env.WEIGHTSPACE_DAWN_NODE ??
    path.join(path.dirname(require.resolve('webgpu/package.json')), 'dist', platform, 'dawn.node')
  );
}

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
    (Boolean(process.env.WEIGHTSPACE_DAWN_NODE) || canResolve(require.resolve, 'webgpu/package.json')) &&
    canResolve(require.resolve, '@tensorflow/tfjs-backend-webgpu'),
  async activate() {
    // dawn.node itself, not the package's ESM wrapper: this code is CommonJS.
    const dawn = require(dawnNodePath()) as {
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
    await selectTfBackend('webgpu');
  },
};
