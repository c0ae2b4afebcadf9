import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import { UsageError } from '../usage-error';
import {
  ensureResultsTable,
  markFailed,
  markReady,
  queuedJobs,
  type SendPolicy,
  type Sql,
  takeBackLostJobs,
} from './results-table';

/** The pg-boss queue every sweep's jobs go through; a job's payload is its id in the results table. */
export const QUEUE = 'weightspace-jobs';

/** What a queue entry carries. */
export interface QueuedJob {
  jobId: string;
}

/** An open connection to the queue and the results table in the same database. */
export interface SweepQueue {
  boss: PgBoss;
  db: Sql;
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL at `url`, creating pg-boss's schema, the queue and the results table
 * when missing. A database it cannot reach or use is a UsageError naming the address (without its
 * password), so the command exits 2 before any job starts.
 */
export async function openQueue(url: string, options: { supervise: boolean }): Promise<SweepQueue> {
  // A server that does not answer fails the start within 10 s rather than hanging.
  const boss = new PgBoss({
    connectionString: url,
    schedule: false,
    supervise: options.supervise,
    max: 4,
    connectionTimeoutMillis: 10000,
  } as PgBoss.ConstructorOptions);
  const errors: Error[] = [];
  boss.on('error', (e) => errors.push(e));
  try {
    await boss.start();
    await boss.createQueue(QUEUE);
    await ensureResultsTable(boss.getDb() as Sql);
  } catch (e) {
    await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
    const why = (e as Error).message || (e as NodeJS.ErrnoException).code || String(e);
    throw new UsageError(`--queue ${redacted(url)}: cannot use the database (${why})`);
  }
  return {
    boss,
    db: boss.getDb() as Sql,
    close: () => boss.stop({ graceful: false, wait: true, timeout: 5000 }),
  };
}

/**
 * The queue's address from `--queue` or else $WEIGHTSPACE_QUEUE (undefined when neither is given);
 * a UsageError when it is not a PostgreSQL URL.
 */
export function queueUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const url = flag ?? (env.WEIGHTSPACE_QUEUE || undefined);
  if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError(`--queue must be a PostgreSQL URL (postgres://user@host:port/database), got '${url}'`);
  }
  return url;
}

/** A connection string with its password hidden, for messages. */
export function redacted(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * The queue entry id of a job: a UUID (pg-boss requires one) derived from the job's id, so sending
 * the same job twice inserts it once (pg-boss ignores an id it holds).
 */
export function queueIdOf(jobId: string): string {
  const hex = createHash('sha256').update(`weightspace-job:${jobId}`).digest('hex');
  // Version 5 and the RFC 4122 variant, as a name-based UUID has them.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Sends jobs to the queue under their fixed ids, in one statement (one already there is left as it is). */
export async function sendJobs(queue: SweepQueue, jobs: readonly ({ id: string } & SendPolicy)[]): Promise<void> {
  if (!jobs.length) return;
  await queue.boss.insert(
    jobs.map((job) => ({
      id: queueIdOf(job.id),
      name: QUEUE,
      data: { jobId: job.id } satisfies QueuedJob,
      retryLimit: job.retries,
      expireInSeconds: job.timeoutSeconds,
    })),
  );
}

/** Forgets the queue entries of jobs about to be sent anew (a failed entry would block the id). */
export async function forgetJobs(queue: SweepQueue, ids: readonly string[]): Promise<void> {
  for (const jobId of ids) await queue.boss.deleteJob(QUEUE, queueIdOf(jobId));
}

/**
 * One round of keeping a sweep moving, run by the coordinator and by every worker: lost workers'
 * jobs are failed back to the queue (which retries them, or they fail for good when their retries
 * are used up), and jobs whose dependencies are done are queued and sent. With `resend`, every
 * queued job is sent again (the queue ignores those it holds), so a crash between marking a job
 * queued and sending it loses nothing; heartbeats and the coordinator do that, a worker that has
 * just finished a job sends only what became ready. Returns the ids taken back.
 */
export async function advance(queue: SweepQueue, options: { resend: boolean }): Promise<string[]> {
  const lost = await takeBackLostJobs(queue.db);
  for (const { id, worker } of lost) {
    const entry = queueIdOf(id);
    await queue.boss.fail(QUEUE, entry, { message: `worker ${worker} stopped beating` });
    const state = (await queue.boss.getJobById(QUEUE, entry))?.state;
    if (state === 'failed') await markFailed(queue.db, id, `worker ${worker} stopped beating; no retries left`);
  }
  const ready = await markReady(queue.db);
  const queued = await queuedJobs(queue.db, options.resend ? undefined : ready);
  await sendJobs(queue, queued);
  return lost.map((l) => l.id);
}
