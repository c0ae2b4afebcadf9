import { writeFileAtomic, writeJsonAtomic } from '@weightspace/core';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { parseArgs, promisify } from 'node:util';
import { runCli } from '../cli';
import { RUN_TS } from '../cli-process';
import { withSchema } from '../results/result-files';
import { expandSweep, type SweepJob } from './job-graph';
import type { ResultRow } from './local-runner';
import { readSweepFile, type SweepCell, type SweepFile } from './sweep-file';

/** What a reproduction's analysis makes of its sweep's rows. */
export interface ReproductionAnalysis {
  /** Files written beside the sweep's store (table.md, figures), by name. */
  files: Record<string, string>;
  /** The reproduction's rows, kept in reproduction.json. */
  rows: unknown;
  /** What is printed on stdout at the end (the table). */
  text: string;
}

/** What a reproduction's analysis reads: its sweep, the sweep's cells and jobs, and their result rows. */
export interface ReproductionInput {
  sweep: SweepFile;
  cells: SweepCell[];
  jobs: SweepJob[];
  rows: ResultRow[];
}

/** A reproduction: its name, its sweep files (default, full, smoke) and its analysis. */
export interface Reproduction {
  name: string;
  /** The directory holding default.json, full.json and smoke.json. */
  sweeps: string;
  /** Where results go unless --out says otherwise (relative to the working directory). */
  defaultOut: string;
  analyse(input: ReproductionInput): ReproductionAnalysis;
}

/**
 * Runs a reproduction as its command line asks (`--full`, `--smoke`, `--out DIR`, `--jobs N`,
 * `--queue URL`, `--backend ID`): its sweep runs through `weightspace sweep` (on this machine or
 * through the queue; a killed run resumes), then its analysis turns the sweep's rows into its
 * files, written atomically beside the store with reproduction.json. Returns the exit code: the
 * sweep's (1 when a job failed; the analysis still covers every finished one).
 */
export async function runReproduction(reproduction: Reproduction, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: reproduction.defaultOut },
      jobs: { type: 'string', default: '2' },
      full: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      queue: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const size = values.full ? 'full' : values.smoke ? 'smoke' : 'default';
  const file = join(reproduction.sweeps, `${size}.json`);
  const out = resolve(values.out as string);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const code = await runCli(
    [
      'sweep',
      file,
      ...['--store', out, '--jobs', values.jobs as string],
      ...(values.queue ? ['--queue', values.queue] : []),
      ...(values.backend ? ['--backend', values.backend] : []),
    ],
    { print: log, log, env: process.env },
  );
  const { raw: settings, sweep, cells } = readSweepFile(file);
  const rows = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { rows: ResultRow[] }).rows;
  const analysis = reproduction.analyse({ sweep, cells, jobs: expandSweep(cells), rows });
  for (const [name, text] of Object.entries(analysis.files)) writeFileAtomic(join(out, name), text);
  writeJsonAtomic(
    join(out, 'reproduction.json'),
    withSchema('reproduction', { reproduction: reproduction.name, size, settings, rows: analysis.rows }),
  );
  process.stdout.write(`${analysis.text}\n`);
  return code;
}

/** Runs `runReproduction` on this process's arguments and sets its exit code. */
export function reproductionMain(reproduction: Reproduction): void {
  runReproduction(reproduction, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`reproduce ${reproduction.name}: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Runs a reproduction's script from its sources in a process of its own, as a user runs it, on
 * the wasm backend with two jobs at a time, writing into a fresh temporary directory: for tests
 * (`--smoke`). Returns that directory and the reproduction.json it wrote.
 */
export async function runReproductionScript(
  script: string,
  args: readonly string[],
): Promise<{ out: string; result: { reproduction: string; rows: unknown } }> {
  const out = join(mkdtempSync(join(tmpdir(), 'ws-reproduction-')), 'out');
  await promisify(execFile)(
    process.execPath,
    [RUN_TS, script, ...args, '--out', out, '--jobs', '2', '--backend', 'wasm'],
    { timeout: 480000, maxBuffer: 64 * 1024 * 1024 },
  );
  return { out, result: JSON.parse(readFileSync(join(out, 'reproduction.json'), 'utf8')) as never };
}
