import type * as tf from '@tensorflow/tfjs';

/**
 * A computation written once as a generator that yields each tensor it needs on the host and
 * receives its values back, then driven either synchronously (`dataSync`: wasm, cpu) or
 * asynchronously (`data()`: the webgpu backend, which cannot read synchronously in Node). The
 * drivers never dispose what is yielded: that stays with whoever made it.
 */
export type HostReads<R> = Generator<tf.Tensor, R, tf.TypedArray>;

/** Runs host reads to their end, reading each tensor synchronously (wasm, cpu, tensorflow). */
export function readSynchronously<R>(steps: HostReads<R>): R {
  let next = steps.next();
  try {
    while (!next.done) next = steps.next(next.value.dataSync() as tf.TypedArray);
    return next.value;
  } catch (error) {
    steps.return(undefined as R);
    throw error;
  }
}

/**
 * Runs host reads to their end, reading each tensor asynchronously (for backends such as webgpu
 * that cannot read synchronously).
 */
export async function readAsynchronously<R>(steps: HostReads<R>): Promise<R> {
  let next = steps.next();
  try {
    while (!next.done) next = steps.next((await next.value.data()) as tf.TypedArray);
    return next.value;
  } catch (error) {
    steps.return(undefined as R);
    throw error;
  }
}
