import type { SweepJob } from './job-graph';
import type { ResultRow } from './result-row';

/** What the table functions need of a database: pg-boss's `getDb()` or a pg pool alike. */
export interface Sql {
  executeSql(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Where a job is: waiting on its dependencies, queued, running on a worker, done, failed for good. */
export type JobStatus = 'waiting' | 'queued' | 'running' | 'done' | 'failed';

/**
 * The results table, one row per job for its whole life (README "Running on many machines"):
 * created `waiting` when a sweep names the job, `queued` once its dependencies are done, `running`
 * while a worker holds it, then `done` with its metrics or `failed` with its error. `inputs` is the
 * job's canonical inputs, `store` and `backend` what its command runs with, `retries` and
 * `timeout_s` its queue entry's retry limit and time limit; `worker` is
 * `host:pid` of the worker that ran (or runs) it, `attempts` how many times one started it.
 * `weightspace_sweep_jobs` says which sweeps name a job (a job shared by two sweeps runs once);
 * `weightspace_workers` holds each worker's heartbeat.
 */
const SCHEMA = `
SELECT pg_advisory_xact_lock(727374);
CREATE TABLE IF NOT EXISTS weightspace_results (
  job_id      text PRIMARY KEY,
  kind        text NOT NULL,
  inputs      jsonb NOT NULL,
  depends_on  text[] NOT NULL,
  store       text NOT NULL,
  backend     text NOT NULL,
  retries     integer NOT NULL,
  timeout_s   integer NOT NULL,
  status      text NOT NULL CHECK (status IN ('waiting', 'queued', 'running', 'done', 'failed')),
  metrics     jsonb,
  seconds     double precision,
  host        text,
  worker      text,
  attempts    integer NOT NULL DEFAULT 0,
  error       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz,
  finished_at timestamptz
);
CREATE TABLE IF NOT EXISTS weightspace_sweep_jobs (
  sweep  text NOT NULL,
  job_id text NOT NULL REFERENCES weightspace_results (job_id),
  PRIMARY KEY (sweep, job_id)
);
CREATE TABLE IF NOT EXISTS weightspace_workers (
  worker            text PRIMARY KEY,
  host              text NOT NULL,
  pid               integer NOT NULL,
  concurrency       integer NOT NULL,
  heartbeat_seconds double precision NOT NULL,
  started_at        timestamptz NOT NULL DEFAULT now(),
  beat_at           timestamptz NOT NULL DEFAULT now(),
  stopped_at        timestamptz
);`;

/** Creates the tables when missing; safe when several machines start at once (one lock). */
export async function ensureResultsTable(db: Sql): Promise<void> {
  // No parameters: one simple query, so the statements run in one transaction under the lock.
  await db.executeSql(SCHEMA, []);
}

/** A job as its row keeps it, with where it runs. */
export interface StoredJob {
  job: SweepJob;
  store: string;
  backend: string;
}

function jobOf(row: Record<string, unknown>): StoredJob {
  return {
    job: { id: row.job_id, kind: row.kind, inputs: row.inputs, dependsOn: row.depends_on } as SweepJob,
    store: row.store as string,
    backend: row.backend as string,
  };
}

/**
 * Adds a sweep's jobs (those already there are kept, done ones with their results) and names them
 * as the sweep's. Jobs that failed for good are set waiting again, to run anew: their ids are
 * returned so the queue can forget their failed entries. Refuses, naming a job and both stores,
 * when a job of the sweep was run with another store (its outputs are there, not in this one).
 */
export async function registerSweep(
  db: Sql,
  sweep: string,
  jobs: readonly SweepJob[],
  store: string,
  backend: string,
  policy: SendPolicy,
): Promise<{ retried: string[] }> {
  await db.executeSql(
    `INSERT INTO weightspace_results (job_id, kind, inputs, depends_on, store, backend, retries, timeout_s, status)
     SELECT j->>'id', j->>'kind', j->'inputs', ARRAY(SELECT jsonb_array_elements_text(j->'dependsOn')),
       $2, $3, $4, $5, 'waiting'
     FROM jsonb_array_elements($1::jsonb) AS j
     ON CONFLICT (job_id) DO NOTHING`,
    [JSON.stringify(jobs), store, backend, policy.retries, policy.timeoutSeconds],
  );
  const ids = jobs.map((job) => job.id);
  const elsewhere = await db.executeSql(
    'SELECT job_id, store FROM weightspace_results WHERE job_id = ANY($1) AND store <> $2 LIMIT 1',
    [ids, store],
  );
  if (elsewhere.rows.length) {
    const { job_id, store: other } = elsewhere.rows[0];
    throw new Error(
      `job ${String(job_id)} of this sweep ran with store ${String(other)}, not ${store}: give --store ${String(other)} (its models are there) or use another database`,
    );
  }
  await db.executeSql(
    'INSERT INTO weightspace_sweep_jobs (sweep, job_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
    [sweep, ids],
  );
  const retried = await db.executeSql(
    `UPDATE weightspace_results SET status = 'waiting', error = NULL, attempts = 0, worker = NULL,
       retries = $2, timeout_s = $3
     WHERE job_id = ANY($1) AND status = 'failed' RETURNING job_id`,
    [ids, policy.retries, policy.timeoutSeconds],
  );
  return { retried: retried.rows.map((r) => r.job_id as string) };
}

/** Sets every waiting job whose dependencies are all done to queued; returns their ids. */
export async function markReady(db: Sql): Promise<string[]> {
  const { rows } = await db.executeSql(
    `UPDATE weightspace_results r SET status = 'queued'
     WHERE r.status = 'waiting' AND NOT EXISTS (
       SELECT 1 FROM weightspace_results d WHERE d.job_id = ANY(r.depends_on) AND d.status <> 'done')
     RETURNING r.job_id`,
    [],
  );
  return rows.map((r) => r.job_id as string);
}

/** Retries and time limit of a job's queue entry. */
export interface SendPolicy {
  /** Further attempts after a failure (pg-boss `retryLimit`). */
  retries: number;
  /** An attempt running longer is failed by pg-boss and retried (below its 24 h maximum). */
  timeoutSeconds: number;
}

/** The jobs marked queued (sent to the queue, or about to be), all or those of `ids`, with their queue policy. */
export async function queuedJobs(db: Sql, ids?: readonly string[]): Promise<({ id: string } & SendPolicy)[]> {
  if (ids && !ids.length) return [];
  const { rows } = await db.executeSql(
    `SELECT job_id, retries, timeout_s FROM weightspace_results
     WHERE status = 'queued' AND ($1::text[] IS NULL OR job_id = ANY($1))`,
    [ids ?? null],
  );
  return rows.map((r) => ({
    id: r.job_id as string,
    retries: r.retries as number,
    timeoutSeconds: r.timeout_s as number,
  }));
}

/**
 * A worker takes a queued job: it becomes running under that worker, one more attempt. Returns
 * the job, or undefined when it is done already (a second delivery) or no such job exists.
 */
export async function claimJob(db: Sql, id: string, worker: string, host: string): Promise<StoredJob | undefined> {
  const { rows } = await db.executeSql(
    `UPDATE weightspace_results SET status = 'running', worker = $2, host = $3, attempts = attempts + 1,
       started_at = now(), finished_at = NULL, error = NULL
     WHERE job_id = $1 AND status IN ('queued', 'running') RETURNING *`,
    [id, worker, host],
  );
  return rows.length ? jobOf(rows[0]) : undefined;
}

/** The jobs with these ids, as stored. */
export async function storedJobs(db: Sql, ids: readonly string[]): Promise<StoredJob[]> {
  const { rows } = await db.executeSql('SELECT * FROM weightspace_results WHERE job_id = ANY($1)', [ids]);
  return rows.map(jobOf);
}

/**
 * Ends a worker's attempt: done with metrics, failed for good, or queued again for a retry.
 * Only the worker that holds the job can end it; returns false when it no longer does (its job
 * was handed to another worker meanwhile, whose result counts).
 */
export async function endAttempt(
  db: Sql,
  id: string,
  worker: string,
  outcome: { status: 'done' | 'failed' | 'queued'; metrics?: Record<string, unknown>; seconds: number; error?: string },
): Promise<boolean> {
  const { rows } = await db.executeSql(
    `UPDATE weightspace_results SET status = $3, metrics = $4::jsonb, seconds = $5, error = $6,
       finished_at = CASE WHEN $3 = 'queued' THEN NULL ELSE now() END
     WHERE job_id = $1 AND worker = $2 AND status = 'running' RETURNING job_id`,
    [id, worker, outcome.status, JSON.stringify(outcome.metrics ?? {}), outcome.seconds, outcome.error ?? null],
  );
  return rows.length === 1;
}

/** Records a worker (or its next heartbeat): the time of its latest beat. */
export async function heartbeat(
  db: Sql,
  worker: { id: string; host: string; pid: number; concurrency: number; heartbeatSeconds: number },
  stopped = false,
): Promise<void> {
  await db.executeSql(
    `INSERT INTO weightspace_workers (worker, host, pid, concurrency, heartbeat_seconds)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (worker) DO UPDATE SET beat_at = now(), stopped_at = CASE WHEN $6 THEN now() ELSE NULL END`,
    [worker.id, worker.host, worker.pid, worker.concurrency, worker.heartbeatSeconds, stopped],
  );
}

/**
 * Takes back the jobs of workers that stopped beating (no beat for three of their intervals: the
 * machine died, or the worker was killed): each becomes queued again, its error naming the lost
 * worker. Returns the ids, so the caller fails their queue entries (which retries them). One row
 * update per job, so two callers never both take back the same job.
 */
export async function takeBackLostJobs(db: Sql): Promise<{ id: string; worker: string; attempts: number }[]> {
  const { rows } = await db.executeSql(
    `UPDATE weightspace_results r SET status = 'queued', error = 'worker ' || r.worker || ' stopped beating'
     FROM weightspace_workers w
     WHERE r.status = 'running' AND r.worker = w.worker
       AND w.beat_at < now() - make_interval(secs => 3 * w.heartbeat_seconds)
     RETURNING r.job_id, w.worker, r.attempts`,
    [],
  );
  return rows.map((r) => ({ id: r.job_id as string, worker: r.worker as string, attempts: r.attempts as number }));
}

/** Sets a job failed for good (its retries used up while no worker held it). */
export async function markFailed(db: Sql, id: string, error: string): Promise<void> {
  await db.executeSql(
    `UPDATE weightspace_results SET status = 'failed', error = $2, finished_at = now() WHERE job_id = $1`,
    [id, error],
  );
}

/** A sweep's job as the table has it: status and, when ended, its result row. */
export interface SweepJobState {
  id: string;
  status: JobStatus;
  host?: string;
  worker?: string;
  row?: ResultRow;
}

/** Every job of a sweep with its status, in the order they were added. */
export async function sweepJobStates(db: Sql, sweep: string): Promise<SweepJobState[]> {
  const { rows } = await db.executeSql(
    `SELECT r.* FROM weightspace_results r JOIN weightspace_sweep_jobs s ON s.job_id = r.job_id
     WHERE s.sweep = $1 ORDER BY r.created_at, r.job_id`,
    [sweep],
  );
  return rows.map((r) => {
    const status = r.status as JobStatus;
    const ended = status === 'done' || status === 'failed';
    return {
      id: r.job_id as string,
      status,
      ...(r.host ? { host: r.host as string } : {}),
      ...(r.worker ? { worker: r.worker as string } : {}),
      ...(ended
        ? {
            row: {
              id: r.job_id as string,
              kind: r.kind as SweepJob['kind'],
              inputs: r.inputs as SweepJob['inputs'],
              status,
              metrics: (r.metrics ?? {}) as Record<string, unknown>,
              seconds: (r.seconds ?? 0) as number,
              host: (r.host ?? '') as string,
              attempts: r.attempts as number,
              finishedAt: r.finished_at ? (r.finished_at as Date).toISOString() : '',
              ...(r.error ? { error: r.error as string } : {}),
            } satisfies ResultRow,
          }
        : {}),
    };
  });
}
