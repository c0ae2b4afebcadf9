import { writeFileAtomic, writeJsonAtomic } from '@weightspace/core';
import { cpus } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integerFlag, numberFlag, optionalString, parse, type Parsed } from '../args';
import { chooseBackend, type Command, type CommandContext, printResult } from '../command';
import { type FlagTable, jsonFlags } from '../flags';
import { progressBar } from '../progress-bar';
import { type SweepJob, expandSweep } from '../sweeps/job-graph';
import { localJobStates, type ResultRow, runSweepLocally } from '../sweeps/local-runner';
import { runSweepOnQueue } from '../sweeps/queue-coordinator';
import { reportCsv, reportLines, reportSvg, reportTable } from '../sweeps/sweep-report';
import { statusText, sweepStatus } from '../sweeps/sweep-status';
import { readSweepFile, type SweepFile } from '../sweeps/sweep-file';
import { sweepJobStates, type SweepJobState } from '../sweeps/results-table';
import { openQueue, queueUrl, redacted } from '../sweeps/postgres-queue';
import { UsageError } from '../usage-error';
import { CommandFailure } from '../command-failure';
import { evaluationTable } from '../sweeps/evaluation-table';

/** pg-boss keeps a job active for less than 24 hours; an attempt longer than this is retried. */
const DEFAULT_TIMEOUT_HOURS = 23;

const flags: FlagTable = {
  store: {
    type: 'string',
    value: 'DIR',
    description: 'where models, alignments, curves and result rows go; with --queue a directory every worker mounts',
    default: 'sweeps/NAME',
  },
  queue: {
    type: 'string',
    value: 'URL',
    description:
      'send the jobs to PostgreSQL at URL (postgres://…) for `weightspace worker`s to run (or $WEIGHTSPACE_QUEUE)',
  },
  jobs: {
    type: 'string',
    value: 'N',
    description: 'jobs at once on this machine, each in its own process',
    default: 'the cores',
  },
  retries: { type: 'string', value: 'N', description: 'further tries of a job that fails', default: '1' },
  'timeout-hours': {
    type: 'string',
    value: 'H',
    description: 'with --queue: an attempt running longer is retried (pg-boss allows < 24)',
    default: String(DEFAULT_TIMEOUT_HOURS),
  },
  detach: {
    type: 'boolean',
    description: 'with --queue: return once the jobs are sent (the workers finish the sweep)',
  },
  out: {
    type: 'string',
    value: 'DIR',
    description: 'report: where report.json, report.csv and report.svg go',
    default: 'STORE/report',
  },
  ...jsonFlags,
};

/** A sweep file's sweep, its jobs, and where they run (store, queue), from the command line. */
interface SweepSetting {
  sweep: SweepFile;
  jobs: SweepJob[];
  store: string;
  queue?: string;
}

function sweepSetting(parsed: Parsed, file: string, context: CommandContext): SweepSetting {
  const { sweep, cells } = readSweepFile(file);
  // Unknown architectures, datasets and matchers are refused before any job starts.
  for (const cell of cells) {
    context.registry.architecture(cell.arch);
    context.registry.dataset(cell.dataset);
    for (const method of cell.methods) if (method !== 'none') context.registry.matcher(method);
    if (cell.merges?.matcher) context.registry.matcher(cell.merges.matcher);
  }
  const store = optionalString(parsed, 'store') ?? join('sweeps', sweep.name.replace(/[^A-Za-z0-9._-]+/g, '-'));
  const queue = queueUrl(optionalString(parsed, 'queue'), context.env);
  return { sweep, jobs: expandSweep(cells), store, ...(queue ? { queue } : {}) };
}

/** Every job's state, in the sweep's order: from the queue's results table, or from the store. */
async function jobStates(setting: SweepSetting): Promise<SweepJobState[]> {
  if (!setting.queue) return localJobStates(setting.jobs, setting.store);
  const queue = await openQueue(setting.queue, { supervise: false });
  try {
    return inSweepOrder(setting.jobs, await sweepJobStates(queue.db, setting.sweep.name));
  } finally {
    await queue.close();
  }
}

/** States in the order of the sweep's jobs (the table keeps them in the order they were added). */
function inSweepOrder(jobs: readonly SweepJob[], states: readonly SweepJobState[]): SweepJobState[] {
  const position = new Map(jobs.map((job, i) => [job.id, i]));
  return [...states].sort((x, y) => (position.get(x.id) ?? 0) - (position.get(y.id) ?? 0));
}

const endedRows = (states: readonly SweepJobState[]): ResultRow[] => states.flatMap((s) => (s.row ? [s.row] : []));

/** Refuses a store this process cannot write into, naming it, before any job starts. */
function assertWritableStore(store: string): void {
  const probe = join(store, `.write-probe-${process.pid}`);
  try {
    mkdirSync(store, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new UsageError(
      `--store ${store}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

async function runSweep(parsed: Parsed, setting: SweepSetting, context: CommandContext): Promise<void> {
  const { sweep, jobs, store } = setting;
  assertWritableStore(store);
  const retries = integerFlag(parsed, 'retries', 1, 0, 100) as number;
  const backend = await chooseBackend(parsed, context, { command: 'sweep' });
  let rows: ResultRow[];
  let notRun: number;
  if (setting.queue) {
    const hours = numberFlag(parsed, 'timeout-hours', DEFAULT_TIMEOUT_HOURS);
    if (hours >= 24) throw new UsageError(`--timeout-hours must be below 24 (pg-boss's limit), got ${hours}`);
    context.log(`${sweep.name}: ${jobs.length} jobs to ${redacted(setting.queue)}, store ${store}`);
    const states = await runSweepOnQueue(jobs, {
      url: setting.queue,
      sweep: sweep.name,
      store,
      backend,
      retries,
      timeoutSeconds: Math.round(hours * 3600),
      detach: parsed.flags.detach === true,
      pollSeconds: 1,
      progress: progressBar(),
      log: context.log,
    });
    if (parsed.flags.detach) {
      const summary = { sweep: sweep.name, queue: redacted(setting.queue), store, jobs: jobs.length, sent: true };
      printResult(context, parsed, summary, () =>
        context.print(`${jobs.length} jobs sent; follow them with: weightspace sweep status FILE --queue URL`),
      );
      return;
    }
    rows = endedRows(inSweepOrder(jobs, states));
    notRun = states.filter((s) => s.status === 'waiting').length;
  } else {
    const parallel = integerFlag(parsed, 'jobs', cpus().length, 1) as number;
    context.log(`${sweep.name}: ${jobs.length} jobs, ${parallel} at a time, store ${store}`);
    rows = await runSweepLocally(jobs, {
      store,
      parallel,
      backend,
      retries,
      log: context.log,
      progress: progressBar(),
      task: sweep.name,
    });
    notRun = jobs.length - rows.length;
  }
  writeJsonAtomic(join(store, 'results.json'), { sweep: sweep.name, rows });
  const done = rows.filter((r) => r.status === 'done').length;
  const failed = rows.filter((r) => r.status === 'failed').length;
  const summary = { sweep: sweep.name, store, jobs: jobs.length, done, failed, notRun };
  printResult(context, parsed, { ...summary, rows }, () => {
    context.print(evaluationTable(jobs, rows));
    context.print(
      `${done} of ${jobs.length} jobs done, ${failed} failed, ${notRun} not run; rows in ${join(store, 'results.json')}`,
    );
  });
  if (failed > 0)
    throw new CommandFailure(`${failed} job(s) failed: see their rows (error, attempts) with weightspace sweep status`);
}

async function showStatus(parsed: Parsed, setting: SweepSetting, context: CommandContext): Promise<void> {
  const status = sweepStatus(await jobStates(setting));
  printResult(context, parsed, { sweep: setting.sweep.name, ...status }, () =>
    context.print(statusText(setting.sweep.name, status)),
  );
}

async function writeReport(parsed: Parsed, setting: SweepSetting, context: CommandContext): Promise<void> {
  const rows = endedRows(await jobStates(setting));
  const lines = reportLines(setting.jobs, rows);
  if (!lines.length)
    throw new UsageError(
      `${setting.sweep.name}: no evaluation has finished yet (weightspace sweep status shows where it stands)`,
    );
  const out = optionalString(parsed, 'out') ?? join(setting.store, 'report');
  writeJsonAtomic(join(out, 'report.json'), { sweep: setting.sweep.name, lines });
  writeFileAtomic(join(out, 'report.csv'), reportCsv(lines));
  writeFileAtomic(join(out, 'report.svg'), reportSvg(lines, setting.sweep.name));
  printResult(context, parsed, { sweep: setting.sweep.name, out, lines }, () => {
    context.print(reportTable(lines));
    context.print(`report.json, report.csv and report.svg in ${out}`);
  });
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'run a sweep file (every train, align and evaluate job of its grid, each once), show its status, report it',
  flags,
  positionals: '[status|report] SWEEP.json',
  details: [
    'sweep FILE runs the jobs on this machine, or with --queue sends them to PostgreSQL for workers;',
    'a killed sweep resumes where it stopped. Writes models/, align/, evaluate/ and one result row per',
    'job into the store (all of them in results.json; with --queue also in the weightspace_results table).',
    'sweep status FILE: jobs done, running, failed and waiting, per host. sweep report FILE: the',
    'barriers as mean ± std over seed pairs, as report.json, report.csv and report.svg.',
  ].join(' '),
  async run(argv, context) {
    const parsed = parse(argv, flags);
    const [first, ...rest] = parsed.positionals;
    const action = first === 'status' || first === 'report' ? first : 'run';
    const files = action === 'run' ? parsed.positionals : rest;
    if (files.length !== 1)
      throw new UsageError('give exactly one sweep file (weightspace sweep [status|report] SWEEP.json)');
    const setting = sweepSetting(parsed, files[0], context);
    if (action === 'status') return showStatus(parsed, setting, context);
    if (action === 'report') return writeReport(parsed, setting, context);
    return runSweep(parsed, setting, context);
  },
};
