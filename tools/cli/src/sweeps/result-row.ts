import { hostname } from 'node:os';
import type { SweepJob } from './job-graph';

/** One row of a sweep's results: a job, its inputs, its metrics, when and where it ran. */
export interface ResultRow {
  id: string;
  kind: SweepJob['kind'];
  inputs: SweepJob['inputs'];
  status: 'done' | 'failed';
  metrics: Record<string, unknown>;
  seconds: number;
  host: string;
  attempts: number;
  finishedAt: string;
  error?: string;
}

/** The row of a job that has just ended on this host. */
export function finishedRow(
  job: SweepJob,
  outcome: { metrics: Record<string, unknown>; seconds: number; attempts: number; error?: string },
): ResultRow {
  const { error, ...rest } = outcome;
  return {
    id: job.id,
    kind: job.kind,
    inputs: job.inputs,
    status: error === undefined ? 'done' : 'failed',
    ...rest,
    host: hostname(),
    finishedAt: new Date().toISOString(),
    ...(error === undefined ? {} : { error }),
  };
}
