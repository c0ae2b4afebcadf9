/**
 * The caller's side of the work in thread-tasks.ts: models trained at once, one worker thread
 * each, and one interpolation curve split over threads. One core per thread, because the wasm
 * backend runs on one core per thread.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { labelsPerSample, sliceOf, type Split } from '../data/dataset';
import { type BarrierCurve, barriersOf, type CurvePoint, interpolationGrid } from '../metrics/barrier';
import { type BatchSums, evaluationFromBatchSums } from '../metrics/evaluate';
import { evaluationBatchSize } from '../metrics/evaluation-batches';
import type { Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import type { ProgressSink } from '../progress/progress';
import { paramsToHost } from './host-params';
import type { CurvePointsInput, RegistrySource, TrainModelInput, TrainModelOutput } from './thread-tasks';
import { ThreadPool } from './threads';

const TASKS = require.resolve('./thread-tasks');
// From sources (tests), the worker compiles the TypeScript it requires; from dist it needs nothing.
const PRELOAD = TASKS.endsWith('.ts')
  ? [resolve(__dirname, '..', '..', '..', '..', 'tools', 'scripts', 'ts-register.js')]
  : [];

/** Threads to use by default: one per core, at most 2 (a pair, or two halves of a curve). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * A pool for the work below, to share between calls (threads start once: ~1–2 s each for tfjs,
 * wasm and the registry). Close it when done.
 */
export function workerPool(threads = defaultThreads()): ThreadPool {
  return new ThreadPool(threads, PRELOAD);
}

/** Runs `work` on `pool`, or on a pool of `threads` made for it and closed after. */
async function withPool<T>(
  pool: ThreadPool | undefined,
  threads: number,
  work: (pool: ThreadPool) => Promise<T>,
): Promise<T> {
  if (pool) return work(pool);
  const own = workerPool(threads);
  try {
    return await work(own);
  } finally {
    await own.close();
  }
}

/** Trains each job in its own worker thread, `threads` at a time; results in job order. */
export function trainInThreads(
  jobs: ReadonlyArray<TrainModelInput & { label: string }>,
  progress?: ProgressSink,
  threads = defaultThreads(),
  pool?: ThreadPool,
): Promise<TrainModelOutput[]> {
  return withPool(pool, Math.min(threads, Math.max(1, jobs.length)), (p) =>
    p.runAll<TrainModelOutput>(
      jobs.map(({ label, ...input }) => ({
        module: TASKS,
        fn: 'trainModel',
        input: { ...input, options: { ...input.options, task: label } },
        label,
      })),
      progress,
    ),
  );
}

/**
 * `barrierCurve` without corrections or calibration, with the test split cut into one contiguous
 * run of whole evaluation batches per thread: each thread evaluates every point on its batches
 * (so each computes the stem outputs of its own samples only, see AffineStem) and returns each
 * batch's sums, which are added in batch order. So the points and barriers are exactly those of
 * one thread, whatever the number of threads (at most one per batch).
 */
export async function barrierCurveInThreads(
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  test: Split,
  options: {
    registry: RegistrySource;
    backend: string;
    points?: number;
    progress?: ProgressSink;
    task?: string;
    threads?: number;
    pool?: ThreadPool;
  },
): Promise<BarrierCurve> {
  const grid = interpolationGrid(options.points ?? 25);
  const batchSize = evaluationBatchSize(plugin, config);
  const batches = Math.ceil(test.count / batchSize);
  const threads = Math.max(1, Math.min(options.pool?.size ?? options.threads ?? defaultThreads(), batches));
  const task = options.task ?? 'interpolate';
  const [hostA, hostB] = [paramsToHost(a), paramsToHost(b)];
  const slices = sliceSplit(test, threads, batchSize);
  // One bar for the curve: the points done by every thread, averaged.
  const done = new Array<number>(threads).fill(0);
  const progress: ProgressSink = (event) => {
    done[Number(event.task.slice(event.task.lastIndexOf('#') + 1))] = event.done;
    options.progress?.({
      task,
      done: Math.floor(done.reduce((x, y) => x + y, 0) / threads),
      total: grid.length,
      info: event.info,
    });
  };
  const parts = await withPool(options.pool, threads, (pool) =>
    pool.runAll<CurvePoint[]>(
      slices.map((slice, k) => {
        const input: CurvePointsInput = {
          registry: options.registry,
          backend: options.backend,
          arch: plugin.id,
          config,
          a: hostA,
          b: hostB,
          test: slice,
          ts: grid,
          task: `${task}#${k}`,
        };
        return { module: TASKS, fn: 'curvePointsTask', input, label: `${task}, samples ${k + 1} of ${threads}` };
      }),
      progress,
    ),
  );
  const points = grid.map((t, i) => ({
    t,
    ...evaluationFromBatchSums(
      parts.map((part) => part[i].batches as BatchSums),
      test.count * labelsPerSample(test),
    ),
  }));
  return { points, barriers: barriersOf(points) };
}

/**
 * `parts` contiguous slices of a split, each of whole batches of `batchSize` (the last may end
 * short), as copies (a view would carry the whole buffer to a thread).
 */
function sliceSplit(split: Split, parts: number, batchSize: number): Split[] {
  const size = split.x.length / split.count;
  const batches = Math.ceil(split.count / batchSize);
  const boundary = (k: number) => Math.min(split.count, Math.floor((k * batches) / parts) * batchSize);
  return Array.from({ length: parts }, (_, k) => sliceOf(split, boundary(k), boundary(k + 1), size, true));
}
