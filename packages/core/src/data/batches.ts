import type { Rng } from '../random/rng';
import { labelsPerSample, type Split } from './dataset';

/** Sample indices in minibatches: shuffled by `rng`, or in order without one. The last batch may be short. */
export function minibatches(count: number, batchSize: number, rng?: Rng): Int32Array[] {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (rng) rng.shuffle(order);
  const out: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize)
    out.push(order.subarray(start, Math.min(count, start + batchSize)));
  return out;
}

/** Copies the samples at `indices` (with all their labels) into a contiguous batch. */
export function gather(split: Split, indices: Int32Array, sampleSize: number): { x: Float32Array; y: Int32Array } {
  const labels = labelsPerSample(split);
  const x = new Float32Array(indices.length * sampleSize);
  const y = new Int32Array(indices.length * labels);
  indices.forEach((index, k) => {
    x.set(split.x.subarray(index * sampleSize, (index + 1) * sampleSize), k * sampleSize);
    if (labels === 1) y[k] = split.y[index];
    else y.set(split.y.subarray(index * labels, (index + 1) * labels), k * labels);
  });
  return { x, y };
}
