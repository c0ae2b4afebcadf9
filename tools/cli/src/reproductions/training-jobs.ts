import { disposeParams, type Registry, type TrainOptions } from '@weightspace/core';
import { existsSync } from 'node:fs';
import { loadModel, META_PROVENANCE } from '../checkpoint';
import { CLI_ARGV } from '../cli-process';
import { runJobs } from './child-jobs';

/** One checkpoint a reproduction needs: trained by `weightspace train` with these settings. */
export interface TrainingJob extends Pick<
  TrainOptions,
  'epochs' | 'batchSize' | 'learningRate' | 'optimizer' | 'momentum' | 'weightDecay'
> {
  file: string;
  arch: string;
  dataset: string;
  config: object;
  seed: number;
  /** Continue from this checkpoint (spawning). */
  init?: string;
  /** Train on the first n training samples only. */
  trainLimit?: number;
}

function argsOf(job: TrainingJob, backend: string): string[] {
  const args = [
    'train',
    '--arch',
    job.arch,
    '--dataset',
    job.dataset,
    '--config',
    JSON.stringify(job.config),
    '--seed',
    String(job.seed),
  ];
  args.push(
    '--epochs',
    String(job.epochs),
    '--batch-size',
    String(job.batchSize),
    '--lr',
    String(job.learningRate),
    '--out',
    job.file,
    '--backend',
    backend,
  );
  if (job.optimizer) args.push('--optimizer', job.optimizer);
  if (job.momentum !== undefined) args.push('--momentum', String(job.momentum));
  if (job.weightDecay) args.push('--weight-decay', String(job.weightDecay));
  if (job.init) args.push('--init', job.init);
  if (job.trainLimit) args.push('--train-limit', String(job.trainLimit));
  return args;
}

/** Whether `job.file` holds a checkpoint trained with exactly these settings. */
function alreadyTrained(job: TrainingJob, registry: Registry): boolean {
  if (!existsSync(job.file)) return false;
  const { metadata, params } = loadModel(job.file, registry, job.arch);
  disposeParams(params);
  const p = JSON.parse(metadata[META_PROVENANCE] ?? '{}') as {
    seed?: number;
    config?: object;
    init?: string | null;
    trainCount?: number;
    train?: Record<string, unknown>;
  };
  const t = p.train ?? {};
  return (
    p.seed === job.seed &&
    JSON.stringify(p.config) === JSON.stringify(job.config) &&
    (p.init ?? undefined) === job.init &&
    (job.trainLimit === undefined || p.trainCount === job.trainLimit) &&
    t.epochs === job.epochs &&
    t.batchSize === job.batchSize &&
    t.learningRate === job.learningRate &&
    (t.optimizer ?? 'adam') === (job.optimizer ?? 'adam') &&
    (t.weightDecay ?? 0) === (job.weightDecay ?? 0)
  );
}

/**
 * Trains every job whose checkpoint is missing or was trained differently, `parallel` processes
 * at a time, through the built CLI; returns how many were trained. Checkpoints are written
 * atomically by `train`, so an interrupted run resumes with the ones that finished.
 */
export async function trainCheckpoints(
  jobs: readonly TrainingJob[],
  registry: Registry,
  backend: string,
  parallel: number,
  log: (line: string) => void,
): Promise<number> {
  const todo = jobs.filter((job) => !alreadyTrained(job, registry));
  await runJobs(
    todo.map((job) => ({
      label: `train ${job.file}`,
      command: process.execPath,
      args: [...CLI_ARGV, ...argsOf(job, backend)],
    })),
    parallel,
    log,
  );
  return todo.length;
}
