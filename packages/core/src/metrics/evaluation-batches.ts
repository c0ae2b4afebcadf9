import * as tf from '@tensorflow/tfjs';
import { labelsPerSample, type Split } from '../data/dataset';
import type { AnyArchitecture } from '../plugin/architecture';

/**
 * A split cut into input/label tensors once, to be evaluated many times (25 interpolation points)
 * without rebuilding them. Owns its tensors: call `dispose()`.
 */
export class EvaluationBatches {
  private constructor(
    readonly batches: ReadonlyArray<{ x: tf.Tensor; y: tf.Tensor1D }>,
    readonly count: number,
    /** Labels in all: `count` times the labels per sample (the rows of all batches' logits). */
    readonly labels: number = count,
  ) {}

  static from(split: Split, inputShape: readonly number[], batchSize = 2000): EvaluationBatches {
    const size = inputShape.reduce((a, b) => a * b, 1);
    const labels = labelsPerSample(split);
    const batches: Array<{ x: tf.Tensor; y: tf.Tensor1D }> = [];
    for (let start = 0; start < split.count; start += batchSize) {
      const end = Math.min(split.count, start + batchSize);
      batches.push({
        x: tf.tensor(split.x.subarray(start * size, end * size), [end - start, ...inputShape]),
        y: tf.tensor1d(split.y.subarray(start * labels, end * labels), 'int32'),
      });
    }
    return new EvaluationBatches(batches, split.count, split.count * labels);
  }

  /** A split in batches of the size the architecture asks for (see `evaluationBatchSize`). */
  static forModel(split: Split, plugin: AnyArchitecture, config: unknown): EvaluationBatches {
    return EvaluationBatches.from(split, plugin.inputShape(config), evaluationBatchSize(plugin, config));
  }

  dispose(): void {
    for (const b of this.batches) {
      b.x.dispose();
      b.y.dispose();
    }
  }
}

/** Samples per evaluation batch for a model: what the architecture asks for, else 2,000. */
export function evaluationBatchSize(plugin: AnyArchitecture, config: unknown): number {
  return plugin.evaluationBatchSize?.(config) ?? 2000;
}
