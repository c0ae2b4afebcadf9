import { ConfigError, writeJsonAtomic } from '@weightspace/core';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { integerFlag, optionalString, parse } from '../args';
import { chooseBackend, type Command, printResult } from '../command';
import { type FlagTable, jsonFlags } from '../flags';
import { table } from '../curves';
import { type AlignJobInputs, type EvaluateJobInputs, expandSweep, type TrainJobInputs } from '../sweeps/job-graph';
import { runSweepLocally } from '../sweeps/local-runner';
import { parseSweepFile } from '../sweeps/sweep-file';
import { UsageError } from '../usage-error';
import { CommandFailure } from '../command-failure';

const flags: FlagTable = {
  store: {
    type: 'string',
    value: 'DIR',
    description: 'where models, alignments, curves and result rows go (shared by every job)',
    default: 'sweeps/NAME',
  },
  jobs: { type: 'string', value: 'N', description: 'jobs at once, each in its own process', default: 'the cores' },
  retries: { type: 'string', value: 'N', description: 'further tries of a job that fails', default: '1' },
  ...jsonFlags,
};

/** A sweep file read as JSON: a ConfigError naming the file when it cannot be. */
function readSweep(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new ConfigError(
      `${file}: cannot read as JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'run a sweep file: every train, align and evaluate job of its grid, each once',
  flags,
  positionals: 'SWEEP.json',
  details:
    'writes models/, align/, evaluate/ and one result row per job (results/<id>.json, all of them in results.json) into the store; a killed sweep resumes where it stopped',
  async run(argv, context) {
    const parsed = parse(argv, flags);
    const [file, ...extra] = parsed.positionals;
    if (!file || extra.length) throw new UsageError('give exactly one sweep file');
    const { sweep, cells } = parseSweepFile(readSweep(file), file);
    const jobs = expandSweep(cells);
    // Unknown architectures, datasets and matchers are refused before any job starts.
    for (const cell of cells) {
      context.registry.architecture(cell.arch);
      context.registry.dataset(cell.dataset);
      for (const method of cell.methods) if (method !== 'none') context.registry.matcher(method);
    }
    const store = optionalString(parsed, 'store') ?? join('sweeps', sweep.name.replace(/[^A-Za-z0-9._-]+/g, '-'));
    const parallel = integerFlag(parsed, 'jobs', cpus().length, 1) as number;
    const retries = integerFlag(parsed, 'retries', 1, 0) as number;
    const backend = await chooseBackend(parsed, context, { command: 'sweep' });
    context.log(`${sweep.name}: ${cells.length} cells, ${jobs.length} jobs, ${parallel} at a time, store ${store}`);
    const rows = await runSweepLocally(jobs, { store, parallel, backend, retries, log: context.log });
    writeJsonAtomic(join(store, 'results.json'), { sweep: sweep.name, rows });
    const done = rows.filter((r) => r.status === 'done').length;
    const failed = rows.filter((r) => r.status === 'failed').length;
    const summary = { sweep: sweep.name, store, jobs: jobs.length, done, failed, notRun: jobs.length - rows.length };
    printResult(context, parsed, { ...summary, rows }, () => {
      const evaluated = rows.filter((r) => r.kind === 'evaluate' && r.status === 'done');
      const byId = new Map(jobs.map((job) => [job.id, job]));
      context.print(
        table(
          ['config', 'seeds', 'method', 'correction', 'loss barrier', 'accuracy barrier (pts)'],
          evaluated.map((r) => {
            const { align, correction } = r.inputs as EvaluateJobInputs;
            const pair = byId.get(align)!.inputs as AlignJobInputs;
            const [a, b] = [pair.a, pair.b].map((id) => byId.get(id)!.inputs as TrainJobInputs);
            const barriers = (r.metrics as { barriers?: { loss: number; accuracy: number } }).barriers;
            return [
              JSON.stringify(a.config),
              `${a.seed}/${b.seed}`,
              pair.method,
              correction,
              barriers ? barriers.loss.toFixed(4) : '-',
              barriers ? (barriers.accuracy * 100).toFixed(2) : '-',
            ];
          }),
        ),
      );
      context.print(
        `${done} of ${jobs.length} jobs done, ${failed} failed, ${summary.notRun} not run; rows in ${join(store, 'results.json')}`,
      );
    });
    if (failed > 0) throw new CommandFailure(`${failed} job(s) failed: see their rows in ${join(store, 'results')}`);
  },
};
