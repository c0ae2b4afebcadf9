import { Rng } from '../random/rng';
import { type Dataset, type DatasetPlugin, headOf, type Split } from './dataset';

/** The size and seed of the synthetic `blobs` dataset (Gaussian clusters, one per class). */
export interface BlobsOptions {
  classes: number;
  dimension: number;
  train: number;
  test: number;
  /** Distance scale between class means relative to the unit noise. */
  separation: number;
  seed: number;
}

/**
 * Gaussian blobs: class c has mean μ_c ~ N(0, separation²·I) and samples μ_c + N(0, I). Small,
 * deterministic, and learnable in a few steps: the dataset of the test suite.
 */
export function makeBlobs(options: BlobsOptions): Dataset {
  const rng = new Rng(options.seed);
  const means = Array.from({ length: options.classes }, () => rng.normalArray(options.dimension, options.separation));
  const split = (count: number, label: string): Split => {
    const r = rng.fork(label);
    const x = new Float32Array(count * options.dimension);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const c = i % options.classes;
      y[i] = c;
      for (let d = 0; d < options.dimension; d++) x[i * options.dimension + d] = means[c][d] + r.normal();
    }
    return { x, y, count };
  };
  return {
    id: 'blobs',
    inputShape: [options.dimension],
    classes: options.classes,
    train: split(options.train, 'train'),
    test: split(options.test, 'test'),
  };
}

/** A small synthetic dataset of Gaussian clusters, for tests and quick looks; no download. */
export const blobsDataset: DatasetPlugin = {
  id: 'blobs',
  description: 'synthetic Gaussian blobs, 4 classes × 16 dimensions, 2,048 train / 512 test',
  async load(options = {}) {
    const d = makeBlobs({ classes: 4, dimension: 16, train: 2048, test: 512, separation: 1, seed: 0 });
    return { ...d, train: headOf(d.train, options.trainLimit, 16), test: headOf(d.test, options.testLimit, 16) };
  },
};
