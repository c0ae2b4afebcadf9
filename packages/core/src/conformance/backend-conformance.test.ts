import { cpuBackend } from '../backend/backend-provider';
import { backendConformanceFailures } from './backend-conformance';

// The backend conformance checks on core's own reference backend; the CLI runs them on every
// registered backend.
beforeAll(() => cpuBackend.activate());

it('cpu: training, alignment, a curve and a merge leak no tensors; Adam as tfjs, AdamW as PyTorch', () => {
  expect(backendConformanceFailures()).toEqual([]);
});
