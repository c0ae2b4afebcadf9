import { cpus } from 'node:os';
import { integerFlag, numberFlag, optionalString, parse } from '../args';
import type { Command } from '../command';
import { type FlagTable, jsonFlags } from '../flags';
import { printResult } from '../command';
import { queueUrl } from '../sweeps/postgres-queue';
import { runWorker } from '../sweeps/queue-worker';
import { UsageError } from '../usage-error';

const flags: FlagTable = {
  queue: {
    type: 'string',
    value: 'URL',
    description: 'the PostgreSQL URL sweeps were sent to (or $WEIGHTSPACE_QUEUE)',
  },
  concurrency: {
    type: 'string',
    value: 'N',
    description: 'jobs at once, each in its own process',
    default: 'the cores',
  },
  store: {
    type: 'string',
    value: 'DIR',
    description: 'the shared store as this machine mounts it',
    default: 'the path each sweep was sent with',
  },
  heartbeat: {
    type: 'string',
    value: 'S',
    description: 'seconds between heartbeats; a worker silent for three is taken for dead and its jobs rerun elsewhere',
    default: '10',
  },
  'exit-when-idle': {
    type: 'boolean',
    description:
      'stop once nothing has been queued or running for three heartbeats (a batch job, which may start before the sweep is sent); else run until SIGTERM or SIGINT',
  },
  ...jsonFlags,
};

export const workerCommand: Command = {
  name: 'worker',
  summary: 'claim and run sweep jobs from a PostgreSQL queue, on any number of machines',
  flags,
  details:
    'each job runs as a weightspace command in a process of its own; SIGTERM or SIGINT lets the running jobs finish and then stops',
  async run(argv, context) {
    const parsed = parse(argv, flags);
    if (parsed.positionals.length)
      throw new UsageError(`worker takes no positional arguments, got '${parsed.positionals.join(' ')}'`);
    const url = queueUrl(optionalString(parsed, 'queue'), context.env);
    if (!url) throw new UsageError('give --queue postgres://user@host:port/database (or $WEIGHTSPACE_QUEUE)');
    let stop = false;
    const onSignal = (signal: NodeJS.Signals) => {
      context.log(`worker: ${signal}: finishing the running jobs, taking no more`);
      stop = true;
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
    try {
      const store = optionalString(parsed, 'store');
      const summary = await runWorker({
        url,
        concurrency: integerFlag(parsed, 'concurrency', cpus().length, 1, 1024) as number,
        ...(store ? { store } : {}),
        heartbeatSeconds: numberFlag(parsed, 'heartbeat', 10),
        pollSeconds: 1,
        exitWhenIdle: parsed.flags['exit-when-idle'] === true,
        stopRequested: () => stop,
        log: context.log,
      });
      printResult(context, parsed, summary, () =>
        context.print(`${summary.worker}: ${summary.done} done, ${summary.failed} failed`),
      );
    } finally {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
    }
  },
};
