/**
 * One split of a classification dataset, flattened: `x` holds `count` samples of `inputShape`,
 * `y` their labels, `labelsPerSample` per sample (a language model's window of T characters has
 * one label per position: the next character), in sample order.
 */
export interface Split {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
  /** Labels per sample; 1 when omitted. A model's logits then have one row per label. */
  readonly labelsPerSample?: number;
}

/** The labels per sample of a split (1 unless it says otherwise). */
export function labelsPerSample(split: Pick<Split, 'labelsPerSample'>): number {
  return split.labelsPerSample ?? 1;
}

/** Samples `start` to `end` of a split as a view (`copy`: as copies, e.g. to send to a thread). */
export function sliceOf(split: Split, start: number, end: number, sampleSize: number, copy = false): Split {
  const labels = labelsPerSample(split);
  const take = <T extends Float32Array | Int32Array>(a: T, per: number): T =>
    (copy ? a.slice(start * per, end * per) : a.subarray(start * per, end * per)) as T;
  return {
    x: take(split.x, sampleSize),
    y: take(split.y, labels),
    count: end - start,
    ...(split.labelsPerSample === undefined ? {} : { labelsPerSample: labels }),
  };
}

/**
 * A loaded dataset: train and test splits of flat float32 samples and int32 labels, on shared
 * memory, with their input shape and class count.
 */
export interface Dataset {
  readonly id: string;
  /** Shape of one sample, e.g. [784] for MNIST. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly train: Split;
  readonly test: Split;
  /** Samples are token ids of a vocabulary of `classes` tokens (text), not feature values. */
  readonly tokens?: boolean;
}

/** How much of a dataset to load: the first `trainLimit` training and `testLimit` test samples. */
export interface DatasetLoadOptions {
  /** Keep only the first n training / test samples (in the dataset's fixed order). */
  trainLimit?: number;
  testLimit?: number;
}

/** A dataset as a plugin: an id, a description, and how to load it. */
export interface DatasetPlugin {
  readonly id: string;
  readonly description: string;
  load(options?: DatasetLoadOptions): Promise<Dataset>;
}

/**
 * Typed arrays on shared memory, for the splits the loaders build: a split made of them crosses
 * to worker threads without a copy (two threads training on MNIST share one 188 MB array).
 */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** An Int32Array on shared memory, which worker threads read without a copy. */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/** The first `limit` samples of a split (a view: no copy). */
export function headOf(split: Split, limit: number | undefined, sampleSize: number): Split {
  if (limit === undefined || limit >= split.count) return split;
  return sliceOf(split, 0, limit, sampleSize);
}

/** The number of values of one sample: the product of the input shape. */
export function sampleSize(dataset: Pick<Dataset, 'inputShape'>): number {
  return dataset.inputShape.reduce((a, b) => a * b, 1);
}
