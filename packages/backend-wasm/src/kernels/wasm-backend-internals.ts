import * as tf from '@tensorflow/tfjs';

/**
 * The parts of tfjs's wasm backend (4.x) that weightspace's replacement kernels use: its heap, its
 * allocator, where each tensor lives and how an output is made. They are not public API, so every
 * use goes through `internalsOf`, which checks they are there.
 */
export interface WasmBackendInternals {
  readonly wasm: {
    readonly asm: { readonly memory: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(address: number): void;
  };
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** One more tensor shares this data (it is freed when the last one is disposed). */
  incRef(dataId: object): void;
}

/** The backend's internals, or undefined when they are not the expected ones (another tfjs version). */
export function internalsOf(backend: unknown): WasmBackendInternals | undefined {
  const candidate = backend as Partial<WasmBackendInternals> | undefined;
  const memory = candidate?.wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory &&
    candidate?.dataIdMap &&
    typeof candidate.makeOutput === 'function' &&
    typeof candidate.incRef === 'function'
    ? (candidate as WasmBackendInternals)
    : undefined;
}

/** The byte address of a tensor's data in the backend's heap. */
export function addressOf(internals: WasmBackendInternals, tensor: tf.TensorInfo): number {
  const data = internals.dataIdMap.get(tensor.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend');
  return data.memoryOffset;
}

/**
 * `create(internals)`, made once per backend instance (each has its own heap) and reused: how the
 * kernels keep their compiled WebAssembly instances.
 */
export function perBackend<T>(create: (internals: WasmBackendInternals) => T): (internals: WasmBackendInternals) => T {
  const made = new WeakMap<WasmBackendInternals, T>();
  return (internals) => {
    let value = made.get(internals);
    if (value === undefined) {
      value = create(internals);
      made.set(internals, value);
    }
    return value;
  };
}

/** Marks the kernels weightspace registered, so that activating the backend again does not wrap one in another. */
const REPLACEMENT = Symbol.for('weightspace.wasmKernel');

function isReplacement(kernel: tf.KernelFunc): boolean {
  return (kernel as tf.KernelFunc & { [REPLACEMENT]?: boolean })[REPLACEMENT] === true;
}

/**
 * Registers `makeKernel(original)` as the wasm backend's kernel `name`, where `original` is the
 * kernel it replaces (for the cases the replacement leaves to it). Does nothing when a
 * weightspace kernel is already registered; returns false, changing nothing, when the wasm
 * backend or its internals are missing.
 */
export function replaceWasmKernel(name: string, makeKernel: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  const original = tf.getKernel(name, 'wasm');
  if (!internalsOf(tf.findBackend('wasm')) || !original) return false;
  if (isReplacement(original.kernelFunc)) return true;
  const kernelFunc = makeKernel(original.kernelFunc);
  Object.defineProperty(kernelFunc, REPLACEMENT, { value: true });
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  return true;
}

/** A kernel of weightspace's own on the wasm backend, given its call's arguments and the backend's internals. */
export type WasmKernel = (
  args: Parameters<tf.KernelFunc>[0],
  internals: WasmBackendInternals,
) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Registers kernels of weightspace's own (names tfjs does not have) on the wasm backend, each
 * called with the internals of the backend instance that runs it; a name already registered is
 * left as it is. Returns false, registering nothing, when the wasm backend or its internals are
 * missing.
 */
export function registerWasmKernels(kernels: Record<string, WasmKernel>): boolean {
  if (!internalsOf(tf.findBackend('wasm'))) return false;
  for (const [kernelName, kernel] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, 'wasm')) continue;
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: (args) => kernel(args, internalsOf(args.backend)!),
    });
  }
  return true;
}
