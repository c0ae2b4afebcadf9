import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_ARGV } from '../cli-process';
import { cli } from '../testing/run-cli';
import { TINY_SWEEP_BASE } from '../testing/tiny-sweep';
import type { ResultRow } from './local-runner';
import { openQueue, QUEUE, queueIdOf, type SweepQueue } from './postgres-queue';
import { createScratchDatabase, dropScratchDatabase } from './scratch-database';

/**
 * The sweep queue against a real PostgreSQL server (.ci/run starts one on the loopback interface
 * and sets WEIGHTSPACE_TEST_POSTGRES; tools/scripts/test-postgres.sh starts one by hand): a small
 * sweep run by two worker processes while one worker and the coordinator are killed with SIGKILL.
 * Each test gets a database of its own.
 */
const server = process.env.WEIGHTSPACE_TEST_POSTGRES;
const skipReason = server
  ? ''
  : ' (skipped: WEIGHTSPACE_TEST_POSTGRES is not set; .ci/run starts a server, or: eval "$(tools/scripts/test-postgres.sh start DIR)")';

const dir = mkdtempSync(join(tmpdir(), 'ws-queue-'));
const sweep = {
  name: 'queue tiny',
  base: TINY_SWEEP_BASE,
};
const file = join(dir, 'sweep.json');
writeFileSync(file, JSON.stringify(sweep));

const children: ChildProcess[] = [];

/**
 * A `weightspace` process (from the sources), its output collected; `exited` gives its exit code
 * (null when killed by a signal), or rejects naming the command when it runs past 90 s.
 */
function start(...args: string[]): ChildProcess & { out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...CLI_ARGV, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`weightspace ${args.slice(0, 2).join(' ')} still running after 90 s: ${err}`));
    }, 90000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return Object.assign(child, { out: () => out, exited });
}

async function rows(queue: SweepQueue, where = 'true'): Promise<Record<string, unknown>[]> {
  return (await queue.db.executeSql(`SELECT * FROM weightspace_results WHERE ${where} ORDER BY job_id`, [])).rows;
}

/** Polls until `check` gives a value (not undefined), failing after `seconds`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

(server ? describe : describe.skip)(`weightspace sweep --queue, on PostgreSQL${skipReason}`, () => {
  const database = `ws_sweep_${process.pid}_${Date.now()}`;
  let url: string;
  let queue: SweepQueue;
  beforeAll(async () => {
    url = createScratchDatabase(server!, database);
    // Opening creates pg-boss's schema and the results table before any process races for it.
    queue = await openQueue(url, { supervise: false });
  });
  afterAll(async () => {
    await queue?.close();
    dropScratchDatabase(server!, database);
  });

  it('survives a worker and the coordinator killed mid-sweep: each job ends once, one row each, metrics as run locally', async () => {
    const store = join(dir, 'store');
    const args = ['--queue', url, '--store', store, '--backend', 'wasm', '--json'];
    const coordinator = start('sweep', file, ...args);
    await until('the sweep in the results table', async () => ((await rows(queue)).length === 6 ? true : undefined));

    // Worker 1 takes a job; it is killed mid-job (its job process goes with it).
    const first = start('worker', '--queue', url, '--concurrency', '1', '--heartbeat', '1');
    const firstId = `${hostname()}:${first.pid}`;
    const killedJob = await until('a job running on worker 1', async () => {
      const running = await rows(queue, `status = 'running' AND worker = '${firstId}'`);
      return running.length ? (running[0].job_id as string) : undefined;
    });
    first.kill('SIGKILL');
    coordinator.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    // Worker 2 takes the lost job back once worker 1 has missed three heartbeats, and runs the rest.
    const second = start('worker', '--queue', url, '--concurrency', '2', '--heartbeat', '1', '--exit-when-idle');
    const secondId = `${hostname()}:${second.pid}`;
    // The coordinator started again follows the sweep to its end.
    const again = start('sweep', file, ...args);
    expect(await again.exited).toBe(0);
    expect(await second.exited).toBe(0);
    const summary = JSON.parse(again.out()) as { jobs: number; done: number; failed: number; rows: ResultRow[] };
    expect(summary).toMatchObject({ jobs: 6, done: 6, failed: 0 });

    const table = await rows(queue);
    expect(table).toHaveLength(6);
    expect(table.every((r) => r.status === 'done')).toBe(true);
    const killed = table.find((r) => r.job_id === killedJob)!;
    expect(killed).toMatchObject({ attempts: 2, worker: secondId });
    for (const r of table.filter((row) => row.job_id !== killedJob)) expect(r.attempts).toBe(1);

    // One queue entry per job; the killed job's entry was retried once.
    const entries = (
      await queue.db.executeSql(
        `SELECT id::text, retry_count FROM pgboss.job WHERE name = $1
         UNION ALL SELECT id::text, retry_count FROM pgboss.archive WHERE name = $1`,
        [QUEUE],
      )
    ).rows;
    expect(entries).toHaveLength(6);
    expect(entries.find((e) => e.id === queueIdOf(killedJob))?.retry_count).toBe(1);

    // Sent a third time, nothing runs: every row is as it was.
    const third = start('sweep', file, ...args);
    expect(await third.exited).toBe(0);
    const after = await rows(queue);
    expect(after.map((r) => [r.job_id, r.attempts, (r.finished_at as Date).getTime()])).toEqual(
      table.map((r) => [r.job_id, r.attempts, (r.finished_at as Date).getTime()]),
    );

    // The embedded default (no server) gives the same metrics.
    const local = await cli('sweep', file, '--store', join(dir, 'local'), '--json');
    expect(local.code).toBe(0);
    const localRows = (JSON.parse(local.out) as { rows: ResultRow[] }).rows;
    const barriers = (rs: readonly ResultRow[]) =>
      Object.fromEntries(
        rs.filter((r) => r.kind === 'evaluate').map((r) => [r.id, (r.metrics as { barriers: unknown }).barriers]),
      );
    expect(Object.keys(barriers(localRows))).toHaveLength(2);
    expect(barriers(localRows)).toEqual(barriers(summary.rows));

    // The store holds every row too: status and report read it without the server.
    const status = await cli('sweep', 'status', file, '--store', store, '--json');
    expect((JSON.parse(status.out) as { counts: { done: number } }).counts.done).toBe(6);
    const report = await cli('sweep', 'report', file, '--queue', url, '--store', store, '--json');
    expect(report.code).toBe(0);
    expect(readFileSync(join(store, 'report', 'report.csv'), 'utf8').split('\n')[0]).toMatch(/^arch,dataset,config/);
  }, 240000);

  it('fails a job for good after its retries, its dependents never queued; the coordinator exits 1', async () => {
    const broken = {
      ...sweep,
      name: 'queue broken',
      base: { ...sweep.base, config: { input: 100, hidden: [16], classes: 10 } },
    };
    const brokenFile = join(dir, 'broken.json');
    writeFileSync(brokenFile, JSON.stringify(broken));
    // A worker that exits when idle may start before the sweep is sent: it waits three heartbeats.
    const worker = start('worker', '--queue', url, '--concurrency', '2', '--heartbeat', '2', '--exit-when-idle');
    const r = await cli(
      'sweep',
      brokenFile,
      '--queue',
      url,
      '--store',
      join(dir, 'broken'),
      '--retries',
      '1',
      '--json',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/2 job\(s\) failed/);
    expect(await worker.exited).toBe(0);
    const summary = JSON.parse(r.out) as { done: number; failed: number; notRun: number };
    expect(summary).toMatchObject({ done: 0, failed: 2, notRun: 4 });
    const failed = await rows(queue, `status = 'failed'`);
    expect(failed.map((f) => [f.kind, f.attempts])).toEqual([
      ['train', 2],
      ['train', 2],
    ]);
    expect(String(failed[0].error)).toMatch(/784/);
  }, 240000);
});
