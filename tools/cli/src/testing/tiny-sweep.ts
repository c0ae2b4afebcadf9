/**
 * The base cell of the sweeps the tests run: an MLP 784-16-10 trained one epoch on 600 MNIST images,
 * one seed pair, naive and weight-matched, 3-point curves on 200 test images (seconds per job).
 */
export const TINY_SWEEP_BASE = {
  arch: 'mlp',
  config: { input: 784, hidden: [16], classes: 10 },
  dataset: 'mnist',
  train: { epochs: 1, batchSize: 64, learningRate: 0.003, trainLimit: 600 },
  pairs: [[0, 1]],
  methods: ['none', 'weight'],
  points: 3,
  testLimit: 200,
};
