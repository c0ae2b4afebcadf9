import type { ProgressSink } from '@weightspace/core';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SweepJob } from './job-graph';
import { advance, forgetJobs, openQueue } from './postgres-queue';
import { registerSweep, type SendPolicy, type SweepJobState, sweepJobStates } from './results-table';

/** How a sweep is sent to the queue and followed. */
export interface QueueSweepOptions extends SendPolicy {
  url: string;
  sweep: string;
  store: string;
  backend: string;
  /** Return once the jobs are sent, leaving the workers to finish the sweep. */
  detach: boolean;
  pollSeconds: number;
  progress: ProgressSink;
  log: (line: string) => void;
}

/**
 * Sends a sweep's jobs to the queue and, unless detached, follows it until every job has ended
 * (done, failed, or waiting on a failed one), drawing progress. Jobs already in the table are not
 * added twice and done ones are not rerun, so a coordinator that was killed is simply started
 * again; the workers need none running (each of them queues what becomes ready).
 */
export async function runSweepOnQueue(jobs: readonly SweepJob[], options: QueueSweepOptions): Promise<SweepJobState[]> {
  const queue = await openQueue(options.url, { supervise: false });
  try {
    const { retried } = await registerSweep(queue.db, options.sweep, jobs, options.store, options.backend, options);
    await forgetJobs(queue, retried);
    if (retried.length) options.log(`${retried.length} job(s) that had failed will run again`);
    for (let round = 0; ; round++) {
      // Every tenth round (and the first) sends every queued job again: see advance.
      const lost = await advance(queue, { resend: round % 10 === 0 });
      for (const id of lost) options.log(`took back job ${id} from a worker that stopped beating`);
      const states = await sweepJobStates(queue.db, options.sweep);
      const count = (status: SweepJobState['status']) => states.filter((s) => s.status === status).length;
      const ended = count('done') + count('failed');
      options.progress({
        task: options.sweep,
        done: ended,
        total: states.length,
        info: `${count('running')} running, ${count('queued')} queued, ${count('failed')} failed`,
      });
      if (options.detach || sweepEnded(jobs, states)) return states;
      await sleep(options.pollSeconds * 1000);
    }
  } finally {
    await queue.close();
  }
}

/**
 * Whether nothing of a sweep can still run: every job is done, failed, or waiting on a job that
 * failed (directly or through other waiting jobs).
 */
export function sweepEnded(jobs: readonly SweepJob[], states: readonly SweepJobState[]): boolean {
  const status = new Map(states.map((s) => [s.id, s.status]));
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const blocked = (id: string): boolean =>
    (byId.get(id)?.dependsOn ?? []).some(
      (d) => status.get(d) === 'failed' || (status.get(d) === 'waiting' && blocked(d)),
    );
  return jobs.every((job) => {
    const s = status.get(job.id);
    return s === 'done' || s === 'failed' || (s === 'waiting' && blocked(job.id));
  });
}
