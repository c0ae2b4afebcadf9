import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectUserError } from '../testing/run-cli';
import { TINY_SWEEP_BASE } from '../testing/tiny-sweep';
import type { ResultRow } from './local-runner';

/**
 * `weightspace sweep` on a real, tiny sweep (two MLP widths, one seed pair, naive and weight
 * matching on MNIST): every job runs once in its own process, a second run runs nothing, a run
 * after a lost result reruns only that job, and a failing method fails its jobs alone.
 */
const dir = mkdtempSync(join(tmpdir(), 'ws-sweep-'));
const store = join(dir, 'store');
const sweep = {
  name: 'tiny widths',
  base: TINY_SWEEP_BASE,
  grid: { 'config.hidden': [[16], [32]] },
};
const file = join(dir, 'sweep.json');
writeFileSync(file, JSON.stringify(sweep));
const rowsOf = () => (JSON.parse(readFileSync(join(store, 'results.json'), 'utf8')) as { rows: ResultRow[] }).rows;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('weightspace sweep', () => {
  it('runs every job once, in processes of their own, and resumes instead of rerunning', async () => {
    const first = await cli('sweep', file, '--store', store, '--jobs', '2', '--json');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.out) as { jobs: number; done: number; failed: number };
    // 2 widths × (2 models + 2 alignments (one of them none) + 2 curves).
    expect(summary).toMatchObject({ jobs: 12, done: 12, failed: 0 });
    const rows = rowsOf();
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.id)).size).toBe(12);
    const curves = rows.filter((r) => r.kind === 'evaluate');
    for (const row of curves)
      expect(Number.isFinite((row.metrics as { barriers: { loss: number } }).barriers.loss)).toBe(true);
    expect(existsSync(join(store, 'models', `${rows[0].id}.safetensors`))).toBe(true);

    // Run again: every row is kept as it was (the same finish times), nothing runs.
    const again = await cli('sweep', file, '--store', store, '--json');
    expect(again.code).toBe(0);
    expect(rowsOf().map((r) => r.finishedAt)).toEqual(rows.map((r) => r.finishedAt));

    // A result lost (a run killed before it was written): only that job runs again.
    const lost = curves[0];
    rmSync(join(store, 'results', `${lost.id}.json`));
    expect((await cli('sweep', file, '--store', store)).code).toBe(0);
    const resumed = rowsOf();
    for (const row of resumed) {
      const before = rows.find((r) => r.id === row.id)!;
      if (row.id === lost.id) expect(row.finishedAt).not.toBe(before.finishedAt);
      else expect(row.finishedAt).toBe(before.finishedAt);
    }
  });

  it('fails a job that fails after its retries, runs none of its dependents, finishes the rest; exit 1', async () => {
    // The second cell's MLP reads 100 inputs, which MNIST's 784 do not fit: its training fails.
    const broken = { ...sweep, name: 'broken', grid: { 'config.input': [784, 100] } };
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    const r = await cli(
      'sweep',
      join(dir, 'broken.json'),
      '--store',
      join(dir, 'broken'),
      '--retries',
      '1',
      '--jobs',
      '2',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/weightspace sweep: 2 job\(s\) failed/);
    const rows = (JSON.parse(readFileSync(join(dir, 'broken', 'results.json'), 'utf8')) as { rows: ResultRow[] }).rows;
    const failed = rows.filter((row) => row.status === 'failed');
    expect(
      failed.map((row) => [
        row.kind,
        (row.inputs as unknown as { config: { input: number } }).config.input,
        row.attempts,
      ]),
    ).toEqual([
      ['train', 100, 2],
      ['train', 100, 2],
    ]);
    expect(failed[0].error).toMatch(/784/);
    // The working cell's 6 jobs are done; the broken cell's alignments and curves never ran.
    expect(rows.filter((row) => row.status === 'done')).toHaveLength(6);
    expect(rows).toHaveLength(8);
  });

  it('runs LLFC and LEWC on pairs, merges sets by each method, and measures the robustness of every model', async () => {
    const study = {
      name: 'merges',
      base: {
        ...sweep.base,
        methods: ['weight'],
        metrics: ['llfc', 'lewc'],
        merges: { sets: [[0, 1, 2]], methods: ['average', 'mergemany'] },
        robustness: { eps: [0.1], noise: [0.3], pgdSteps: 2, attackLimit: 40 },
      },
    };
    writeFileSync(join(dir, 'merges.json'), JSON.stringify(study));
    const r = await cli('sweep', join(dir, 'merges.json'), '--store', join(dir, 'merges'), '--jobs', '2', '--json');
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.out) as { rows: ResultRow[] }).rows;
    const kinds = rows.map((row) => row.kind);
    // 3 models, 1 alignment, 2 metrics, 2 merges, 5 robustness reports (3 models + 2 merges).
    expect(kinds.filter((k) => k === 'train')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'evaluate')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'merge')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'robustness')).toHaveLength(5);
    expect(rows.every((row) => row.status === 'done')).toBe(true);
    const metric = (name: string) =>
      rows.find((row) => row.kind === 'evaluate' && (row.inputs as { metric: string }).metric === name)!.metrics;
    expect(metric('llfc')).toHaveProperty('layers');
    expect(metric('lewc')).toHaveProperty('curve.barriers.calibratedLoss');
    const clean = rows
      .filter((row) => row.kind === 'robustness')
      .map((row) => (row.metrics as { clean: { accuracy: number } }).clean.accuracy);
    for (const accuracy of clean) expect(accuracy).toBeGreaterThan(0.1);
    expect(existsSync(join(dir, 'merges', 'merges'))).toBe(true);
  });

  it('refuses a store it cannot write and a database it cannot reach: one line naming it, exit 2, no job run', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const store = join(blocker, 'store');
    expectUserError(
      await cli('sweep', file, '--store', store),
      /--store .*a-file\/store: cannot write there \(ENOTDIR\)/,
    );
    // Nothing listens on port 1 of the loopback interface; the password is not shown.
    const url = 'postgres://someone:secret@127.0.0.1:1/sweeps';
    const r = await cli('sweep', file, '--store', join(dir, 'unreached'), '--queue', url);
    expectUserError(r, /--queue postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/sweeps: cannot use the database/);
    expect(r.err).not.toContain('secret');
    expectUserError(await cli('worker', '--queue', url), /cannot use the database/);
  });

  it('refuses an unknown matcher before any job starts, naming it', async () => {
    const unknown = { ...sweep, name: 'unknown', base: { ...sweep.base, methods: ['wieght'] } };
    writeFileSync(join(dir, 'unknown.json'), JSON.stringify(unknown));
    expectUserError(await cli('sweep', join(dir, 'unknown.json'), '--store', join(dir, 'u')), /wieght/);
    expect(existsSync(join(dir, 'u'))).toBe(false);
    const unknownArch = { ...sweep, name: 'unknown arch', base: { ...sweep.base, arch: 'mpl' } };
    writeFileSync(join(dir, 'unknown-arch.json'), JSON.stringify(unknownArch));
    expectUserError(await cli('sweep', join(dir, 'unknown-arch.json'), '--store', join(dir, 'ua')), /mpl/);
    expect(existsSync(join(dir, 'ua'))).toBe(false);
  });
});
