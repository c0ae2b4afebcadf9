import { blobsDataset, makeBlobs } from './synthetic';
import type { Split } from './dataset';

/** Accuracy of the nearest class mean, with means estimated on `fit` and applied to `split`. */
function nearestMeanAccuracy(fit: Split, split: Split, classes: number, dimension: number): number {
  const means = Array.from({ length: classes }, () => new Float64Array(dimension));
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < fit.count; i++) {
    counts[fit.y[i]]++;
    for (let d = 0; d < dimension; d++) means[fit.y[i]][d] += fit.x[i * dimension + d];
  }
  means.forEach((m, c) => m.forEach((v, d) => (m[d] = v / counts[c])));
  let correct = 0;
  for (let i = 0; i < split.count; i++) {
    let best = -1;
    let bestDistance = Infinity;
    for (let c = 0; c < classes; c++) {
      let distance = 0;
      for (let d = 0; d < dimension; d++) distance += (split.x[i * dimension + d] - means[c][d]) ** 2;
      if (distance < bestDistance) [best, bestDistance] = [c, distance];
    }
    if (best === split.y[i]) correct++;
  }
  return correct / split.count;
}

describe('makeBlobs', () => {
  const options = { classes: 4, dimension: 8, train: 400, test: 200, separation: 2, seed: 5 };

  it('lays out balanced splits of the requested sizes', () => {
    const d = makeBlobs(options);
    expect([d.id, d.inputShape, d.classes]).toEqual(['blobs', [8], 4]);
    expect([d.train.count, d.train.x.length, d.train.y.length]).toEqual([400, 3200, 400]);
    expect([d.test.count, d.test.x.length, d.test.y.length]).toEqual([200, 1600, 200]);
    for (const split of [d.train, d.test]) {
      const perClass = [0, 0, 0, 0];
      split.y.forEach((c) => perClass[c]++);
      expect(perClass).toEqual(perClass.map(() => split.count / 4));
    }
  });

  it('is a function of its seed: the same seed gives the same data, another seed other data', () => {
    const a = makeBlobs(options);
    const b = makeBlobs(options);
    const c = makeBlobs({ ...options, seed: 6 });
    expect(Array.from(b.train.x)).toEqual(Array.from(a.train.x));
    expect(Array.from(b.test.x)).toEqual(Array.from(a.test.x));
    expect(Array.from(c.train.x)).not.toEqual(Array.from(a.train.x));
    // Train and test are drawn apart: no test sample repeats a training sample.
    expect(Array.from(a.test.x.subarray(0, 8))).not.toEqual(Array.from(a.train.x.subarray(0, 8)));
  });

  it('has unit noise around each class mean, and separation sets how learnable it is', () => {
    const d = makeBlobs({ ...options, train: 4000, separation: 0 });
    // With no separation every sample is N(0, I): mean 0 and variance 1 per coordinate.
    const values = Array.from(d.train.x);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(nearestMeanAccuracy(d.train, d.test, 4, 8)).toBeLessThan(0.4);
    const separated = makeBlobs({ ...options, separation: 3 });
    expect(nearestMeanAccuracy(separated.train, separated.test, 4, 8)).toBeGreaterThan(0.9);
  });
});

describe('the blobs dataset plugin', () => {
  it('serves 2,048 / 512 samples of 16 features in 4 classes, and heads of them on request', async () => {
    const full = await blobsDataset.load();
    expect([full.train.count, full.test.count, full.inputShape, full.classes]).toEqual([2048, 512, [16], 4]);
    const limited = await blobsDataset.load({ trainLimit: 100, testLimit: 10 });
    expect([limited.train.count, limited.test.count]).toEqual([100, 10]);
    expect(Array.from(limited.train.x)).toEqual(Array.from(full.train.x.subarray(0, 1600)));
    expect(Array.from(limited.test.y)).toEqual(Array.from(full.test.y.subarray(0, 10)));
  });
});
