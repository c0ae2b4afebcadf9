import { Worker } from 'node:worker_threads';
import { ProgressSink } from '../progress/progress';

/**
 * One call to run in a worker thread: `require(module)[fn](input, progress)`, sync or async.
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

export interface ThreadOptions {
  /** Jobs running at once (default 2: the wasm backend uses one core per thread). */
  parallel?: number;
  /** Receives the jobs' progress events as they come. */
  progress?: ProgressSink;
  /** Modules each worker requires first (absolute paths): e.g. a hook that compiles TypeScript for tests. */
  preload?: readonly string[];
}

/** The signature a thread job's function has. */
export type ThreadFunction<I, O> = (input: I, progress: ProgressSink) => O | Promise<O>;

// Plain JavaScript run by each worker (eval mode): nothing in it resolves relative to a path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
for (const file of workerData.preload) require(file);
const progress = (event) => parentPort.postMessage({ progress: event });
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
Promise.resolve()
  .then(() => require(workerData.module)[workerData.fn](workerData.input, progress))
  .then(
    (result) => parentPort.postMessage({ result }, buffersOf(result, [], new Set())),
    (error) => parentPort.postMessage({ error: String((error && error.stack) || error) }),
  );
`;

/**
 * Runs `jobs` in worker threads, `parallel` at a time, and returns their results in job order.
 * Each job gets a fresh worker (its own tfjs and backend), ended when the job returns. Rejects
 * with the first failure, naming the job; the other workers are ended.
 */
export async function runInThreads<T>(jobs: readonly ThreadJob[], options: ThreadOptions = {}): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  const live = new Set<Worker>();
  let next = 0;
  let failed = false;
  const runOne = (job: ThreadJob): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: job.module, fn: job.fn, input: job.input, preload: options.preload ?? [] } });
      live.add(worker);
      let settled = false;
      const finish = (error: Error | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        live.delete(worker);
        void worker.terminate();
        if (error) reject(error);
        else resolve(value as T);
      };
      worker.on('message', (message: { progress?: Parameters<ProgressSink>[0]; result?: T; error?: string }) => {
        if (message.progress) options.progress?.(message.progress);
        else if (message.error !== undefined) finish(new Error(`${job.label}: ${message.error}`));
        else finish(undefined, message.result as T);
      });
      worker.on('error', (error) => finish(new Error(`${job.label}: ${error.message}`)));
      worker.on('exit', (code) => finish(new Error(`${job.label}: worker exited with code ${code} before returning`)));
    });
  const lane = async (): Promise<void> => {
    while (!failed && next < jobs.length) {
      const k = next++;
      results[k] = await runOne(jobs[k]);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 2, jobs.length)) }, lane));
  } catch (error) {
    failed = true;
    await Promise.all([...live].map((w) => w.terminate()));
    throw error;
  }
  return results;
}
