import { type ProgressSink, writeJsonAtomic } from '@weightspace/core';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SweepJob } from './job-graph';
import { jobCommand, runCommand, storedResult, threadsPerJob } from './job-runner';
import type { SweepJobState } from './results-table';
import { finishedRow, type ResultRow } from './result-row';

// A result row is its own module, which the results table and this runner both read (no import circle).
export { finishedRow, type ResultRow } from './result-row';

/** Where a job's result row is kept: `<store>/results/<id>.json`, written atomically. */
export function resultPath(store: string, id: string): string {
  return join(store, 'results', `${id}.json`);
}

/** Where a job running on this machine says so: `<store>/running/<id>.json` (host, pid, start). */
export function runningPath(store: string, id: string): string {
  return join(store, 'running', `${id}.json`);
}

/** Whether a process of this machine is alive (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Where each job of a sweep run on this machine stands, from its store: done or failed by its
 * result row, running while its marker is there (and, on this host, its sweep process alive),
 * else waiting.
 */
export function localJobStates(jobs: readonly SweepJob[], store: string): SweepJobState[] {
  return jobs.map((job) => {
    const row = storedResult(resultPath(store, job.id)) as ResultRow | undefined;
    if (row) return { id: job.id, status: row.status, host: row.host, row };
    const running = storedResult(runningPath(store, job.id)) as { host: string; pid: number } | undefined;
    const stale = running && running.host === hostname() && !alive(running.pid);
    return running && !stale
      ? { id: job.id, status: 'running', host: running.host, worker: `${running.host}:${running.pid}` }
      : { id: job.id, status: 'waiting' };
  });
}

/**
 * Runs a sweep's jobs on this machine, `parallel` processes at a time, each job once its
 * dependencies are done; a job that fails is tried again up to `retries` more times, and its
 * dependents are not started. Every finished job's row is written atomically before the next
 * starts, and a job whose row says it is done is not run again: a killed sweep resumes where it
 * stopped, and the same sweep run twice runs each job once. Returns every job's row.
 */
export async function runSweepLocally(
  jobs: readonly SweepJob[],
  options: {
    store: string;
    parallel: number;
    backend: string;
    retries?: number;
    log?: (line: string) => void;
    /** Jobs ended of all, after each job (task: the sweep's name or 'sweep'). */
    progress?: ProgressSink;
    task?: string;
  },
): Promise<ResultRow[]> {
  const { store, backend } = options;
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const rows = new Map<string, ResultRow>();
  for (const job of jobs) {
    const earlier = storedResult(resultPath(store, job.id)) as ResultRow | undefined;
    if (earlier?.status === 'done') rows.set(job.id, earlier);
  }
  const running = new Set<string>();
  const reportProgress = () =>
    options.progress?.({
      task: options.task ?? 'sweep',
      done: rows.size,
      total: jobs.length,
      info: `${running.size} running, ${[...rows.values()].filter((r) => r.status === 'failed').length} failed`,
    });
  const ready = (job: SweepJob) =>
    !rows.has(job.id) && !running.has(job.id) && job.dependsOn.every((d) => rows.get(d)?.status === 'done');
  const run = async (job: SweepJob): Promise<void> => {
    const started = performance.now();
    let attempts = 0;
    let error: string | undefined;
    let metrics: Record<string, unknown> = {};
    writeJsonAtomic(runningPath(store, job.id), {
      host: hostname(),
      pid: process.pid,
      startedAt: new Date().toISOString(),
    });
    options.log?.(`start ${job.kind} ${job.id}`);
    while (attempts <= (options.retries ?? 1)) {
      attempts++;
      try {
        const args = jobCommand(job, byId, store, backend, threadsPerJob(options.parallel));
        metrics = args ? await runCommand(`${job.kind} ${job.id}`, args) : {};
        error = undefined;
        break;
      } catch (e) {
        error = (e as Error).message;
        options.log?.(`${job.kind} ${job.id}: attempt ${attempts} failed: ${error}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const row = finishedRow(job, { metrics, seconds, attempts, ...(error === undefined ? {} : { error }) });
    writeJsonAtomic(resultPath(store, job.id), row);
    rmSync(runningPath(store, job.id), { force: true });
    rows.set(job.id, row);
    options.log?.(`${row.status} ${job.kind} ${job.id} (${row.seconds.toFixed(1)} s)`);
    reportProgress();
  };
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      for (const job of jobs) {
        if (running.size >= Math.max(1, options.parallel)) break;
        if (!ready(job)) continue;
        running.add(job.id);
        run(job).then(() => {
          running.delete(job.id);
          pump();
        }, reject);
      }
      // Nothing running and nothing ready: the rest waits on jobs that failed.
      if (running.size === 0 && !jobs.some(ready)) resolve();
    };
    pump();
  });
  return jobs.flatMap((job) => {
    const row = rows.get(job.id);
    return row ? [row] : [];
  });
}
