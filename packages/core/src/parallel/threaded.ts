/**
 * The caller's side of the work in thread-tasks.ts: models trained at once, one worker thread
 * each, and one interpolation curve split over threads. One core per thread, because the wasm
 * backend runs on one core per thread.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Split } from '../data/dataset';
import { BarrierCurve, barriersOf, CurvePoint, interpolationGrid } from '../metrics/barrier';
import { Params } from '../params/params';
import { AnyArchitecture } from '../plugin/architecture';
import { ProgressSink } from '../progress/progress';
import { paramsToHost } from './host-params';
import type { CurvePointsInput, RegistrySource, TrainModelInput, TrainModelOutput } from './thread-tasks';
import { runInThreads } from './threads';

const TASKS = require.resolve('./thread-tasks');
// From sources (tests), the worker compiles the TypeScript it requires; from dist it needs nothing.
const PRELOAD = TASKS.endsWith('.ts') ? [resolve(__dirname, '..', '..', '..', '..', 'tools', 'scripts', 'ts-register.js')] : [];

/** Threads to use by default: one per core, at most 2 (a pair, or two halves of a curve). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/** Trains each job in its own worker thread, `threads` at a time; results in job order. */
export function trainInThreads(jobs: ReadonlyArray<TrainModelInput & { label: string }>, progress?: ProgressSink, threads = defaultThreads()): Promise<TrainModelOutput[]> {
  return runInThreads<TrainModelOutput>(
    jobs.map(({ label, ...input }) => ({ module: TASKS, fn: 'trainModel', input: { ...input, options: { ...input.options, task: label } }, label })),
    { parallel: threads, progress, preload: PRELOAD },
  );
}

/**
 * `barrierCurve` without corrections or calibration, its points dealt round-robin to `threads`
 * worker threads: the same points and barriers as in one thread.
 */
export async function barrierCurveInThreads(
  plugin: AnyArchitecture,
  config: unknown,
  a: Params,
  b: Params,
  test: Split,
  options: { registry: RegistrySource; backend: string; points?: number; progress?: ProgressSink; task?: string; threads?: number },
): Promise<BarrierCurve> {
  const grid = interpolationGrid(options.points ?? 25);
  const threads = Math.min(options.threads ?? defaultThreads(), grid.length);
  const task = options.task ?? 'interpolate';
  const [hostA, hostB] = [paramsToHost(a), paramsToHost(b)];
  const shares = Array.from({ length: threads }, (_, k) => grid.filter((_, i) => i % threads === k));
  // One bar for the curve: the sum of what each thread has done.
  const done = new Array<number>(threads).fill(0);
  const progress: ProgressSink = (event) => {
    done[Number(event.task.slice(event.task.lastIndexOf('#') + 1))] = event.done;
    options.progress?.({ task, done: done.reduce((x, y) => x + y, 0), total: grid.length, info: event.info });
  };
  const parts = await runInThreads<CurvePoint[]>(
    shares.map((ts, k) => {
      const input: CurvePointsInput = { registry: options.registry, backend: options.backend, arch: plugin.id, config, a: hostA, b: hostB, test, ts, task: `${task}#${k}` };
      return { module: TASKS, fn: 'curvePointsTask', input, label: `${task}, thread ${k + 1} of ${threads}` };
    }),
    { parallel: threads, progress, preload: PRELOAD },
  );
  const points = parts.flat().sort((p, q) => p.t - q.t);
  return { points, barriers: barriersOf(points) };
}
