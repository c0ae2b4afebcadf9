import { resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { ProgressEvent } from '../progress/progress';
import { runInThreads, ThreadPool } from './threads';

const FIXTURE = resolve(__dirname, '..', 'testing', 'fixtures', 'thread-fixture.ts');
const PRELOAD = [resolve(__dirname, '..', '..', '..', '..', 'tools', 'scripts', 'ts-register.js')];

describe('runInThreads', () => {
  it('runs the jobs on `parallel` worker threads and returns the results in job order, progress forwarded', async () => {
    const events: ProgressEvent[] = [];
    const jobs = [[1, 2, 3], [4, 5], [6]].map((values, k) => ({
      module: FIXTURE,
      fn: 'squares',
      input: { values },
      label: `job ${k}`,
    }));
    const results = await runInThreads<{ squares: Float64Array; threadId: number }>(jobs, {
      parallel: 2,
      preload: PRELOAD,
      progress: (e) => events.push(e),
    });
    expect(results.map((r) => Array.from(r.squares))).toEqual([[1, 4, 9], [16, 25], [36]]);
    expect(Object.prototype.toString.call(results[0].squares)).toBe('[object Float64Array]');
    const threads = new Set(results.map((r) => r.threadId));
    expect(threads.size).toBe(2);
    expect(threads.has(threadId)).toBe(false);
    expect(events).toHaveLength(6);
  });

  it('rejects naming the job that failed, with its error', async () => {
    const jobs = [
      { module: FIXTURE, fn: 'squares', input: { values: [1] }, label: 'fine job' },
      { module: FIXTURE, fn: 'fails', input: { message: 'no data for seed 7' }, label: 'train B' },
    ];
    await expect(runInThreads(jobs, { parallel: 2, preload: PRELOAD })).rejects.toThrow(
      /train B: Error: no data for seed 7/,
    );
  });

  it('names the job whose module cannot be loaded', async () => {
    const jobs = [
      {
        module: resolve(__dirname, '..', 'testing', 'fixtures', 'missing.ts'),
        fn: 'x',
        input: {},
        label: 'curve half 2',
      },
    ];
    await expect(runInThreads(jobs, { preload: PRELOAD })).rejects.toThrow(/curve half 2: .*Cannot find module/);
  });
});

describe('ThreadPool', () => {
  it('keeps its threads between jobs, and a failed job leaves the pool working', async () => {
    const pool = new ThreadPool(1, PRELOAD);
    try {
      const first = await pool.run<{ threadId: number }>({
        module: FIXTURE,
        fn: 'squares',
        input: { values: [2] },
        label: 'first',
      });
      await expect(
        pool.run({ module: FIXTURE, fn: 'fails', input: { message: 'bad input' }, label: 'second' }),
      ).rejects.toThrow(/second: Error: bad input/);
      const third = await pool.run<{ squares: Float64Array; threadId: number }>({
        module: FIXTURE,
        fn: 'squares',
        input: { values: [3] },
        label: 'third',
      });
      expect(third.threadId).toBe(first.threadId);
      expect(Array.from(third.squares)).toEqual([9]);
    } finally {
      await pool.close();
    }
    await expect(pool.run({ module: FIXTURE, fn: 'squares', input: { values: [1] }, label: 'late' })).rejects.toThrow(
      /late: the thread pool is closed/,
    );
  });
});
