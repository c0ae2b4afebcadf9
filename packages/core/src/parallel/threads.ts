import { Worker } from 'node:worker_threads';
import type { ProgressSink } from '../progress/progress';

/**
 * One call to run in a worker thread: `require(module)[fn](input, progress, workerState)`, sync or
 * async.
 * `module` is an absolute path (the worker resolves nothing relative to the caller); `input` and
 * the result cross by structured clone, and the result's typed arrays are transferred, not copied.
 */
export interface ThreadJob {
  module: string;
  fn: string;
  input: unknown;
  /** Names the job in errors. */
  label: string;
}

/**
 * How work is spread over worker threads: how many, on which backend, and how they rebuild the
 * registry.
 */
export interface ThreadOptions {
  /** Jobs running at once (default 2: the wasm backend uses one core per thread). */
  parallel?: number;
  /** Receives the jobs' progress events as they come. */
  progress?: ProgressSink;
  /** Modules each worker requires first (absolute paths): e.g. a hook that compiles TypeScript for tests. */
  preload?: readonly string[];
}

/**
 * What a worker keeps between the jobs it runs (what they loaded once: a registry, the active
 * backend), owned by the worker rather than by a module, keyed by whoever stores it.
 */
export type WorkerState = Map<string, unknown>;

/** The signature a thread job's function has. */
export type ThreadFunction<I, O> = (input: I, progress: ProgressSink, workerState: WorkerState) => O | Promise<O>;

// Plain JavaScript run by each worker (eval mode): nothing in it resolves relative to a path.
// A worker runs one job at a time and stays up for the next until the pool closes.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
for (const file of workerData.preload) require(file);
const workerState = new Map();
const buffersOf = (value, out, seen) => {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
    return out;
  }
  for (const v of Object.values(value)) buffersOf(v, out, seen);
  return out;
};
parentPort.on('message', ({ module, fn, input }) => {
  const progress = (event) => parentPort.postMessage({ progress: event });
  Promise.resolve()
    .then(() => require(module)[fn](input, progress, workerState))
    .then(
      (result) => parentPort.postMessage({ result }, buffersOf(result, [], new Set())),
      (error) => parentPort.postMessage({ error: String((error && error.stack) || error) }),
    );
});
`;

interface Pending {
  job: ThreadJob;
  progress?: ProgressSink;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Lane {
  worker: Worker;
  current?: Pending;
}

/**
 * Worker threads that stay up between jobs, so a job pays for loading tfjs, compiling wasm and
 * building its registry once per thread rather than once per job. At most `size` jobs run at
 * once; the rest wait in order. A job whose worker fails rejects naming the job, and its thread
 * is replaced. Call `close()` when done (the threads keep the process alive).
 */
export class ThreadPool {
  private readonly lanes: Lane[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(
    readonly size = 2,
    private readonly preload: readonly string[] = [],
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a thread pool needs at least one thread, got ${size}`);
  }

  /** Runs one job on the next free thread. */
  run<T>(job: ThreadJob, progress?: ProgressSink): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${job.label}: the thread pool is closed`));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, progress, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Runs every job, at most `size` at once; results in job order; rejects with the first failure. */
  runAll<T>(jobs: readonly ThreadJob[], progress?: ProgressSink): Promise<T[]> {
    return Promise.all(jobs.map((job) => this.run<T>(job, progress)));
  }

  /** Ends every thread; jobs still waiting or running reject. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0))
      pending.reject(new Error(`${pending.job.label}: the thread pool closed before it ran`));
    await Promise.all(this.lanes.splice(0).map((lane) => lane.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let lane = this.lanes.find((l) => l.current === undefined);
      if (!lane && this.lanes.length < this.size) lane = this.spawn();
      if (!lane) return;
      const pending = this.queue.shift() as Pending;
      lane.current = pending;
      const { module, fn, input } = pending.job;
      lane.worker.postMessage({ module, fn, input });
    }
  }

  private spawn(): Lane {
    const lane: Lane = {
      worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { preload: [...this.preload] } }),
    };
    this.lanes.push(lane);
    const settle = (outcome: { error?: Error; result?: unknown }) => {
      const pending = lane.current;
      lane.current = undefined;
      if (pending) {
        if (outcome.error) pending.reject(new Error(`${pending.job.label}: ${outcome.error.message}`));
        else pending.resolve(outcome.result);
      }
    };
    const fail = (error: Error) => {
      // The thread is gone or broken: fail its job and let a new thread take the queue.
      const index = this.lanes.indexOf(lane);
      if (index >= 0) this.lanes.splice(index, 1);
      void lane.worker.terminate();
      settle({ error });
      if (!this.closed) this.dispatch();
    };
    lane.worker.on(
      'message',
      (message: { progress?: Parameters<ProgressSink>[0]; result?: unknown; error?: string }) => {
        if (message.progress) lane.current?.progress?.(message.progress);
        else if (message.error !== undefined) settle({ error: new Error(message.error) });
        else settle({ result: message.result });
        if (!message.progress) this.dispatch();
      },
    );
    lane.worker.on('error', fail);
    lane.worker.on('exit', (code) => {
      if (!this.closed && this.lanes.includes(lane)) fail(new Error(`worker exited with code ${code}`));
    });
    return lane;
  }
}

/**
 * Runs `jobs` on a pool of `parallel` worker threads made for them and closed after, and
 * returns their results in job order; rejects with the first failure, naming the job.
 */
export async function runInThreads<T>(jobs: readonly ThreadJob[], options: ThreadOptions = {}): Promise<T[]> {
  const pool = new ThreadPool(Math.max(1, Math.min(options.parallel ?? 2, jobs.length)), options.preload);
  try {
    return await pool.runAll<T>(jobs, options.progress);
  } finally {
    await pool.close();
  }
}
