/** One split of a classification dataset, flattened: `x` holds `count` samples of `inputShape`. */
export interface Split {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

export interface Dataset {
  readonly id: string;
  /** Shape of one sample, e.g. [784] for MNIST. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly train: Split;
  readonly test: Split;
}

export interface DatasetLoadOptions {
  /** Keep only the first n training / test samples (in the dataset's fixed order). */
  trainLimit?: number;
  testLimit?: number;
}

export interface DatasetPlugin {
  readonly id: string;
  readonly description: string;
  load(options?: DatasetLoadOptions): Promise<Dataset>;
}

/** The first `limit` samples of a split (a view: no copy). */
export function headOf(split: Split, limit: number | undefined, sampleSize: number): Split {
  if (limit === undefined || limit >= split.count) return split;
  return { x: split.x.subarray(0, limit * sampleSize), y: split.y.subarray(0, limit), count: limit };
}

export function sampleSize(dataset: Pick<Dataset, 'inputShape'>): number {
  return dataset.inputShape.reduce((a, b) => a * b, 1);
}
