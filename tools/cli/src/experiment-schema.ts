/**
 * An experiment file: train two models from two seeds, align B to A, and compare naive and
 * aligned interpolation. `weightspace run <file>` reads it; `npm start` runs the default below.
 */
export interface ExperimentSpec {
  name: string;
  arch: string;
  /** Architecture config (validated by the architecture's own schema). */
  config: Record<string, unknown>;
  dataset: string;
  trainLimit?: number;
  testLimit?: number;
  seeds: [number, number];
  train: { epochs: number; batchSize: number; learningRate: number };
  align: { method: string; maxIterations: number; seed: number };
  interpolate: { points: number };
  /** Output folder, relative to the working directory. */
  out: string;
}

/** JSON Schema of an experiment file (`weightspace run FILE`), with the defaults it fills in. */
export const experimentSchema = {
  $id: 'weightspace/experiment',
  type: 'object',
  additionalProperties: false,
  required: ['arch', 'config', 'dataset', 'seeds', 'out'],
  properties: {
    name: { type: 'string', default: 'experiment' },
    arch: { type: 'string', minLength: 1 },
    config: { type: 'object' },
    dataset: { type: 'string', minLength: 1 },
    trainLimit: { type: 'integer', minimum: 1 },
    testLimit: { type: 'integer', minimum: 1 },
    seeds: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 },
    train: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        epochs: { type: 'integer', minimum: 1, maximum: 10000, default: 5 },
        batchSize: { type: 'integer', minimum: 1, default: 512 },
        learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
      },
    },
    align: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        method: { type: 'string', default: 'weight' },
        maxIterations: { type: 'integer', minimum: 1, maximum: 100000, default: 100 },
        seed: { type: 'integer', minimum: 0, default: 0 },
      },
    },
    interpolate: {
      type: 'object',
      additionalProperties: false,
      default: {},
      // The same bound as `interpolate --points`: each point is a full evaluation of the test split.
      properties: { points: { type: 'integer', minimum: 2, maximum: 1001, default: 25 } },
    },
    out: { type: 'string', minLength: 1 },
  },
} as const;

/** The `npm start` demo: Git Re-Basin's MNIST MLP setting. */
export const mnistMlpDemo: ExperimentSpec = {
  name: 'MNIST MLP re-basin',
  arch: 'mlp',
  config: { input: 784, hidden: [512, 512, 512], classes: 10 },
  dataset: 'mnist',
  seeds: [0, 1],
  train: { epochs: 5, batchSize: 512, learningRate: 1e-3 },
  align: { method: 'weight', maxIterations: 100, seed: 0 },
  interpolate: { points: 25 },
  out: 'reports/mnist-mlp',
};
