import { backendConformanceFailures } from '@weightspace/core';
import { createRegistrySync } from './modules';

/**
 * The backend conformance checks on every registered backend that is installed here and reads
 * synchronously (webgpu has its own asynchronous comparison in its package): a backend package's
 * own kernels answer to the same references as tfjs's.
 */
const backends = createRegistrySync()
  .backends()
  .filter((b) => b.available() && b.readsSynchronously !== false);

it('covers at least the wasm and cpu backends', () => {
  expect(backends.map((b) => b.id)).toEqual(expect.arrayContaining(['wasm', 'cpu']));
});

it.each(backends.map((b) => [b.id, b] as const))(
  '%s: training, alignment, a curve and a merge leak no tensors; Adam as tfjs, AdamW as PyTorch',
  async (_id, backend) => {
    await backend.activate();
    expect(backendConformanceFailures()).toEqual([]);
  },
);
