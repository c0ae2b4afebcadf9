import { validateAgainst, withDirectoryLock } from '@weightspace/core';
import { experimentSchema, type ExperimentSpec, mnistMlpDemo } from '../experiment-schema';
import { readJsonFile } from '../json-file';
import { join } from 'node:path';
import { integerFlag, optionalString, parse, type Parsed } from '../args';
import { chooseBackend, type Command, type CommandContext, printResult } from '../command';
import { type FlagTable, jsonFlags } from '../flags';
import { withSchema } from '../results/result-files';
import { runExperiment, summaryTable } from '../experiment';
import { progressBar } from '../progress-bar';
import { UsageError } from '../usage-error';

async function execute(
  command: string,
  spec: ExperimentSpec,
  backendFlags: Parsed,
  context: CommandContext,
): Promise<void> {
  const backend = await chooseBackend(backendFlags, context, { command, workerThreads: true });
  // One writer per output directory: a second run into it would mix checkpoints and reports.
  const report = await withDirectoryLock(spec.out, `weightspace ${command}`, () =>
    runExperiment(spec, context.registry, backend, { progress: progressBar(), log: context.log }),
  );
  printResult(context, backendFlags, withSchema('report', report), () => {
    context.print('');
    context.print(
      `${report.name}: ${report.arch} on ${report.dataset.id}, endpoints ${report.endpoints.map((e) => `${e.model} ${(e.testAccuracy * 100).toFixed(2)}%`).join(', ')}`,
    );
    context.print(summaryTable(report));
    context.print(
      `report: ${join(spec.out, 'report.md')} (curves.svg, report.json, checkpoints); ${report.seconds.total.toFixed(1)} s, peak RSS ${report.peakRssMb.toFixed(0)} MB`,
    );
  });
}

const runFlags: FlagTable = {
  out: { type: 'string', value: 'DIR', description: 'output directory', default: "the experiment file's out" },
  ...jsonFlags,
};

const demoFlags: FlagTable = {
  out: { type: 'string', value: 'DIR', description: 'output directory', default: mnistMlpDemo.out },
  epochs: {
    type: 'string',
    value: 'N',
    description: 'epochs of each model',
    default: String(mnistMlpDemo.train.epochs),
  },
  'train-limit': { type: 'string', value: 'N', description: 'train on the first N images only', default: 'all' },
  'test-limit': { type: 'string', value: 'N', description: 'evaluate on the first N test images only', default: 'all' },
  ...jsonFlags,
};

export const runCommand: Command = {
  name: 'run',
  summary: 'run an experiment file (train two seeds, align, compare interpolations)',
  flags: runFlags,
  positionals: 'EXPERIMENT.json',
  details: 'writes report.md, report.json, curves.svg and the checkpoints into the output directory',
  async run(argv, context) {
    const parsed = parse(argv, runFlags);
    const [file, ...extra] = parsed.positionals;
    if (!file || extra.length) throw new UsageError('give exactly one experiment file');
    const spec = validateAgainst<ExperimentSpec>(experimentSchema, readJsonFile(file), file);
    await execute('run', { ...spec, out: optionalString(parsed, 'out') ?? spec.out }, parsed, context);
  },
};

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the MNIST MLP re-basin demo (what `npm start` runs)',
  flags: demoFlags,
  details: 'the MNIST MLP experiment of the README: two seeds trained at once, weight matching, both interpolations',
  async run(argv, context) {
    const parsed = parse(argv, demoFlags);
    const epochs = integerFlag(parsed, 'epochs', mnistMlpDemo.train.epochs, 1) as number;
    // Limits take the first N images of each split: a quick look before the full run.
    const trainLimit = integerFlag(parsed, 'train-limit', undefined, 1);
    const testLimit = integerFlag(parsed, 'test-limit', undefined, 1);
    const spec: ExperimentSpec = {
      ...mnistMlpDemo,
      ...(trainLimit === undefined ? {} : { trainLimit }),
      ...(testLimit === undefined ? {} : { testLimit }),
      train: { ...mnistMlpDemo.train, epochs },
      out: optionalString(parsed, 'out') ?? mnistMlpDemo.out,
    };
    await execute('demo', spec, parsed, context);
  },
};
