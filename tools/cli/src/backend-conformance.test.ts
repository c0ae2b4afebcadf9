import { adamAgainstTfjs, adamWAgainstPyTorch, tensorsLeakedByPipeline } from '@weightspace/core';
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

describe.each(backends.map((b) => [b.id, b] as const))('backend conformance of %s', (_id, backend) => {
  beforeAll(() => backend.activate());

  it('training, alignment, a calibrated curve and a merge leak no tensors', () => {
    expect(tensorsLeakedByPipeline()).toBe(0);
  });

  it("Adam takes the same steps as tfjs's Adam, and leaks nothing", () => {
    const { deviation, moved, leaked } = adamAgainstTfjs();
    expect(deviation).toBeLessThan(1e-5);
    expect(moved).toBeGreaterThan(1e-3);
    expect(leaked).toBe(0);
  });

  it('AdamW follows PyTorch: gradient at θ, then θ·(1 − lr·wd), then the Adam update', () => {
    expect(adamWAgainstPyTorch()).toBeLessThan(2e-6);
  });
});
