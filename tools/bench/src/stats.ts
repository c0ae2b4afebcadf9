/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` once to warm up, then `runs` times; returns the median and every time, in ms. */
export function timeMedian(fn: () => void, runs: number): { ms: number; times: number[] } {
  fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), times };
}

/** ours / reference, or null without a reference. */
export function ratio(ours: number, reference: number | undefined): number | null {
  return reference === undefined || reference <= 0 ? null : ours / reference;
}

/** `timeMedian` for an asynchronous `fn` (each run awaited before the next starts). */
export async function timeMedianAsync(
  fn: () => Promise<unknown>,
  runs: number,
): Promise<{ ms: number; times: number[] }> {
  await fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), times };
}
