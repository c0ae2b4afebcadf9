#!/usr/bin/env node
/**
 * Benchmark of the sweep engine alone: N no-op jobs (alignments by `none`, which run no command)
 * through PostgreSQL with W worker processes, and the same jobs on the embedded default (the local
 * runner, W at a time). Reports jobs per second, the queue's overhead per job (wall time × slots /
 * jobs: what each job costs a worker slot when the job itself costs nothing), and checks that no
 * job is lost or run twice (one done row per job, one attempt each, one queue entry each).
 *
 * Usage: node tools/cli/dist/sweeps/queue-bench.js [--jobs 1000] [--workers 4] [--queue URL]
 * Without --queue (or $WEIGHTSPACE_TEST_POSTGRES) it starts a throwaway server on 127.0.0.1 with
 * tools/scripts/test-postgres.sh. Each run uses a database of its own, dropped at the end.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_ARGV } from '../cli-process';
import { table } from '../curves';
import { jobId, type SweepJob } from './job-graph';
import { runSweepLocally } from './local-runner';
import { openQueue, QUEUE } from './postgres-queue';
import { runSweepOnQueue } from './queue-coordinator';
import { createScratchDatabase, dropScratchDatabase } from './scratch-database';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** N jobs that run no command: alignments of distinct made-up pairs by `none`. */
function noOpJobs(n: number): SweepJob[] {
  return Array.from({ length: n }, (_, i) => {
    const inputs = { a: `noop-a-${i}`, b: `noop-b-${i}`, method: 'none', dataset: 'none' };
    return { id: jobId('align', inputs), kind: 'align', inputs, dependsOn: [] };
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '1000' },
      workers: { type: 'string', default: '4' },
      queue: { type: 'string' },
    },
  });
  const n = Number(values.jobs);
  const workers = Number(values.workers);
  const jobs = noOpJobs(n);
  const scratch = mkdtempSync(join(tmpdir(), 'ws-queue-bench-'));
  let server = values.queue ?? process.env.WEIGHTSPACE_TEST_POSTGRES;
  const script = join(ROOT, 'tools', 'scripts', 'test-postgres.sh');
  // A directory of its own under the temporary directory: the server's user must reach it.
  const cluster = mkdtempSync(join(tmpdir(), 'ws-bench-pg-'));
  if (!server) {
    const env = execFileSync(script, ['start', cluster, '54331'], { encoding: 'utf8' });
    server = /WEIGHTSPACE_TEST_POSTGRES=(\S+)/.exec(env)![1];
  }
  const database = `ws_bench_${process.pid}`;
  const url = createScratchDatabase(server, database);
  try {
    // Through PostgreSQL: send, then W worker processes drain the queue and exit when idle.
    const started = performance.now();
    const startedAt = Date.now();
    await runSweepOnQueue(jobs, {
      url,
      sweep: 'bench',
      store: join(scratch, 'store'),
      backend: 'wasm',
      retries: 1,
      timeoutSeconds: 3600,
      detach: true,
      pollSeconds: 1,
      progress: () => undefined,
      log: () => undefined,
    });
    const sent = performance.now();
    const children = Array.from({ length: workers }, () =>
      spawn(
        process.execPath,
        [...CLI_ARGV, 'worker', '--queue', url, '--concurrency', '1', '--exit-when-idle', '--heartbeat', '1'],
        {
          stdio: 'ignore',
        },
      ),
    );
    const codes = await Promise.all(children.map(exited));
    const queue = await openQueue(url, { supervise: false });
    const { rows } = await queue.db.executeSql(
      `SELECT count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE attempts > 1)::int AS repeated,
         count(*)::int AS rows, extract(epoch FROM max(finished_at) - min(started_at))::float AS busy,
         extract(epoch FROM max(finished_at))::float AS last
       FROM weightspace_results`,
      [],
    );
    const entries = (
      await queue.db.executeSql(
        `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM (
           SELECT id FROM pgboss.job WHERE name = $1 UNION ALL SELECT id FROM pgboss.archive WHERE name = $1) e`,
        [QUEUE],
      )
    ).rows[0] as { n: number; ids: number };
    await queue.close();
    const stats = rows[0] as { done: number; repeated: number; rows: number; busy: number; last: number };
    // Until the last job finished (the workers then wait three heartbeats before they exit).
    const wall = stats.last - startedAt / 1000;

    // The embedded default: the same jobs, W at a time, rows written atomically in a store.
    const localStarted = performance.now();
    const local = await runSweepLocally(jobs, { store: join(scratch, 'local'), parallel: workers, backend: 'wasm' });
    const localWall = (performance.now() - localStarted) / 1000;

    const perJob = (seconds: number) => ((seconds * workers) / n) * 1000;
    process.stdout.write(
      `${table(
        ['engine', 'jobs', 'slots', 'wall (s)', 'jobs/s', 'overhead/job (ms)', 'done', 'lost', 'run twice'],
        [
          [
            `PostgreSQL, ${workers} worker processes (incl. their start)`,
            n,
            workers,
            wall.toFixed(2),
            (n / wall).toFixed(0),
            perJob(wall).toFixed(1),
            stats.done,
            n - stats.done,
            stats.repeated + (entries.n - entries.ids),
          ],
          [
            'PostgreSQL, first claim to last finish',
            n,
            workers,
            stats.busy.toFixed(2),
            (n / stats.busy).toFixed(0),
            perJob(stats.busy).toFixed(1),
            '',
            '',
            '',
          ],
          [
            'embedded (local runner)',
            n,
            workers,
            localWall.toFixed(2),
            (n / localWall).toFixed(0),
            perJob(localWall).toFixed(1),
            local.filter((r) => r.status === 'done').length,
            n - local.length,
            local.filter((r) => r.attempts > 1).length,
          ],
        ],
      )}\n`,
    );
    process.stdout.write(
      `sending ${n} jobs took ${((sent - started) / 1000).toFixed(2)} s; workers exited ${codes.join(', ')}; queue entries ${entries.n} (${entries.ids} distinct)\n`,
    );
    if (stats.done !== n || stats.repeated > 0 || entries.n !== n || codes.some((c) => c !== 0)) process.exitCode = 1;
  } finally {
    dropScratchDatabase(server, database);
    if (!values.queue && !process.env.WEIGHTSPACE_TEST_POSTGRES) execFileSync(script, ['stop', cluster]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`queue-bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
