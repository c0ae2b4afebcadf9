import { cpuBackend } from '../backend/backend-provider';
import { adamAgainstTfjs, adamWAgainstPyTorch, tensorsLeakedByPipeline } from './backend-conformance';

// The backend conformance checks on core's own reference backend; the CLI runs them on every
// registered backend.
beforeAll(() => cpuBackend.activate());

describe('backend conformance on cpu', () => {
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
    // Decaying after the update instead would differ by lr²·wd·|update| ≈ 5e-5 per step.
    expect(adamWAgainstPyTorch()).toBeLessThan(2e-6);
  });
});
