import { paramsFromHost, type Params, type RegistrySource, type Split, trainInThreads } from '@weightspace/core';
import { runReference } from './reference';
import type { Row } from './row';
import { ratio } from './stats';

/** What the model rows run with: the backend, the registry for worker threads, and the run's sizes. */
export interface BenchContext {
  backend: string;
  registry: RegistrySource;
  reference: boolean;
  quick: boolean;
  runs: number;
  tmp: string;
}

/**
 * One row: a pair of `arch` models (seeds 0 and 1) trained by us for one pass over `train` in two
 * worker threads at once, Adam 1e-3, and by the reference's `job` when it runs.
 */
export async function trainPairRow(
  context: BenchContext,
  arch: string,
  config: object,
  train: Split,
  batchSize: number,
  row: { name: string; unit: string; units: number; job: Record<string, unknown> },
): Promise<{ row: Row; trained: Params[] }> {
  const started = performance.now();
  const trained = await trainInThreads(
    [0, 1].map((seed) => ({
      label: `train ${arch} seed ${seed}`,
      registry: context.registry,
      backend: context.backend,
      arch,
      config,
      train,
      options: { epochs: 1, batchSize, learningRate: 1e-3, seed },
    })),
    undefined,
    2,
  );
  const oursMs = performance.now() - started;
  const perSecond = (ms: number) => (2 * row.units) / (ms / 1000);
  // The process's peak so far (both training threads included): with --only, the first row's peak
  // is its own and a later row's the larger of its own and those before it.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const result: Row = { name: row.name, oursMs, ratio: null, detail: { [row.unit]: perSecond(oursMs), peakRssMb } };
  if (context.reference) {
    const run = runReference<{ ms: number }>({ ...row.job, seeds: [0, 1] }, 2);
    const ref = run.result;
    Object.assign(result, { referenceMs: ref.ms, ratio: ratio(oursMs, ref.ms) });
    result.detail = {
      ...result.detail,
      referencePeakRssMb: Math.round(run.peak_rss_mb),
      [`reference${row.unit[0].toUpperCase()}${row.unit.slice(1)}`]: perSecond(ref.ms),
    };
  }
  return { row: result, trained: trained.map((t) => paramsFromHost(t.params)) };
}
