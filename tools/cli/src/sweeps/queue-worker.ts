import { writeJsonAtomic } from '@weightspace/core';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type PgBoss from 'pg-boss';
import { jobCommand, runCommand, threadsPerJob } from './job-runner';
import { finishedRow, resultPath } from './local-runner';
import { advance, openQueue, QUEUE, type QueuedJob, type SweepQueue } from './postgres-queue';
import { claimJob, endAttempt, heartbeat, storedJobs } from './results-table';

/** How a worker runs. */
export interface WorkerOptions {
  /** PostgreSQL connection string of the queue. */
  url: string;
  /** Jobs at once, each in its own process. */
  concurrency: number;
  /** The store as this machine mounts it; by default the path each job was sent with. */
  store?: string;
  /** Seconds between heartbeats; a worker silent for three is taken for dead. */
  heartbeatSeconds: number;
  /** Seconds between looks at an empty queue. */
  pollSeconds: number;
  /**
   * Stop once nothing has been queued or running anywhere for three heartbeats (a batch job's
   * worker, which may start before the sweep is sent); else run until stopped.
   */
  exitWhenIdle: boolean;
  /** Polled between jobs: true once the worker should finish its running jobs and stop. */
  stopRequested?: () => boolean;
  log: (line: string) => void;
}

/** What a worker did before it stopped. */
export interface WorkerSummary {
  worker: string;
  done: number;
  failed: number;
}

/**
 * Claims and runs jobs from the queue until stopped (or, with `exitWhenIdle`, until nothing has
 * been left to run for three heartbeats). Each job runs as a `weightspace` command in a process of
 * its own, so this process stays free to beat its heartbeat however long a training step takes. Every heartbeat also takes back
 * the jobs of workers that stopped beating and queues jobs whose dependencies are done, so the
 * sweep moves on with no coordinator running.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const queue = await openQueue(options.url, { supervise: true });
  const host = hostname();
  const me = {
    id: `${host}:${process.pid}`,
    host,
    pid: process.pid,
    concurrency: options.concurrency,
    heartbeatSeconds: options.heartbeatSeconds,
  };
  const summary: WorkerSummary = { worker: me.id, done: 0, failed: 0 };
  await heartbeat(queue.db, me);
  options.log(`worker ${me.id}: ${options.concurrency} at a time, heartbeat every ${options.heartbeatSeconds} s`);
  let beating = Promise.resolve();
  const beat = setInterval(() => {
    beating = beating
      .then(async () => {
        await heartbeat(queue.db, me);
        const lost = await advance(queue, { resend: true });
        for (const id of lost) options.log(`took back job ${id} from a worker that stopped beating`);
      })
      .catch((e: unknown) => options.log(`worker ${me.id}: heartbeat failed: ${(e as Error).message}`));
  }, options.heartbeatSeconds * 1000);
  const stopping = () => options.stopRequested?.() ?? false;
  // When the queue was first seen idle (reset whenever work shows up); see exitWhenIdle.
  let idleSince: number | undefined;
  const idleLongEnough = async (): Promise<boolean> => {
    if (!(await nothingLeft(queue))) {
      idleSince = undefined;
      return false;
    }
    idleSince ??= Date.now();
    return Date.now() - idleSince >= 3 * options.heartbeatSeconds * 1000;
  };
  const slot = async (): Promise<void> => {
    while (!stopping()) {
      const [entry] = await queue.boss.fetch<QueuedJob>(QUEUE, { batchSize: 1, includeMetadata: true });
      if (entry) {
        idleSince = undefined;
        const outcome = await runEntry(queue, entry, me, options);
        if (outcome === 'done') summary.done++;
        if (outcome === 'failed') summary.failed++;
        continue;
      }
      if (options.exitWhenIdle && (await idleLongEnough())) return;
      await sleep(options.pollSeconds * 1000);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, slot));
  } finally {
    clearInterval(beat);
    await beating;
    await heartbeat(queue.db, me, true).catch(() => undefined);
    await queue.close();
  }
  options.log(`worker ${me.id}: stopped after ${summary.done} done, ${summary.failed} failed`);
  return summary;
}

/** Nothing queued or running on any worker, after queueing whatever became ready. */
async function nothingLeft(queue: SweepQueue): Promise<boolean> {
  await advance(queue, { resend: true });
  const { rows } = await queue.db.executeSql(
    `SELECT count(*)::int AS n FROM weightspace_results WHERE status IN ('queued', 'running')`,
    [],
  );
  return rows[0].n === 0;
}

/**
 * One attempt at a queue entry's job: claimed in the results table, run in its own process, then
 * done (its dependents queued), queued again for a retry, or failed for good. An entry whose job
 * is done already is completed without running it again.
 */
async function runEntry(
  queue: SweepQueue,
  entry: PgBoss.JobWithMetadata<QueuedJob>,
  me: { id: string; host: string },
  options: WorkerOptions,
): Promise<'done' | 'failed' | 'retry' | 'skipped'> {
  const { jobId } = entry.data;
  const claimed = await claimJob(queue.db, jobId, me.id, me.host);
  if (!claimed) {
    await queue.boss.complete(QUEUE, entry.id);
    return 'skipped';
  }
  const { job } = claimed;
  const byId = new Map([claimed, ...(await storedJobs(queue.db, job.dependsOn))].map((s) => [s.job.id, s.job]));
  const label = `${job.kind} ${job.id}`;
  const store = options.store ?? claimed.store;
  options.log(`${label}: attempt ${entry.retryCount + 1} of ${entry.retryLimit + 1} on ${me.id}`);
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const args = jobCommand(job, byId, store, claimed.backend, threadsPerJob(options.concurrency));
    const metrics = args ? await runCommand(label, args) : {};
    const took = seconds();
    // Only the worker that still holds the job ends it (it may have been taken back meanwhile).
    if (await endAttempt(queue.db, jobId, me.id, { status: 'done', metrics, seconds: took })) {
      // The store keeps the row too, so it holds the whole sweep (status and report read it alone).
      const row = finishedRow(job, { metrics, seconds: took, attempts: entry.retryCount + 1 });
      writeJsonAtomic(resultPath(store, job.id), row);
      await queue.boss.complete(QUEUE, entry.id);
      await advance(queue, { resend: false });
    }
    options.log(`done ${label} (${took.toFixed(1)} s)`);
    return 'done';
  } catch (e) {
    const error = (e as Error).message;
    const last = entry.retryCount >= entry.retryLimit;
    const status = last ? 'failed' : 'queued';
    if (await endAttempt(queue.db, jobId, me.id, { status, seconds: seconds(), error })) {
      await queue.boss.fail(QUEUE, entry.id, { message: error });
    }
    options.log(`${last ? 'failed' : 'will retry'} ${label}: ${error}`);
    return last ? 'failed' : 'retry';
  }
}
