import { table } from '../curves';
import { barOf } from '../progress-bar';
import type { JobStatus, SweepJobState } from './results-table';

const STATUSES: readonly JobStatus[] = ['done', 'running', 'failed', 'queued', 'waiting'];

/** How far a sweep is: jobs per status, per host, and the jobs that failed with their errors. */
export interface SweepStatus {
  jobs: number;
  counts: Record<JobStatus, number>;
  /** Per host, its jobs per status (done and failed where they ran, running where they run). */
  hosts: Record<string, Partial<Record<JobStatus, number>>>;
  failures: { id: string; kind: string; attempts: number; error: string }[];
}

/** Counts a sweep's job states. */
export function sweepStatus(states: readonly SweepJobState[]): SweepStatus {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  const hosts: SweepStatus['hosts'] = {};
  for (const state of states) {
    counts[state.status]++;
    if (state.host && (state.status === 'done' || state.status === 'failed' || state.status === 'running')) {
      const host = (hosts[state.host] ??= {});
      host[state.status] = (host[state.status] ?? 0) + 1;
    }
  }
  const failures = states.flatMap((s) =>
    s.status === 'failed' && s.row
      ? [{ id: s.id, kind: s.row.kind, attempts: s.row.attempts, error: s.row.error ?? '' }]
      : [],
  );
  return { jobs: states.length, counts, hosts, failures };
}

/** The status as text: a progress bar of ended jobs, the counts, a table per host, the failures. */
export function statusText(name: string, status: SweepStatus): string {
  const { counts, jobs } = status;
  const ended = counts.done + counts.failed;
  const lines = [
    `${name}  ${barOf(jobs ? ended / jobs : 1, 30)} ${ended}/${jobs} ended`,
    STATUSES.map((s) => `${counts[s]} ${s}`).join(', '),
  ];
  const hosts = Object.entries(status.hosts);
  if (hosts.length) {
    lines.push(
      '',
      table(
        ['host', 'done', 'running', 'failed'],
        hosts.map(([host, c]) => [host, c.done ?? 0, c.running ?? 0, c.failed ?? 0]),
      ),
    );
  }
  for (const f of status.failures) lines.push(`failed: ${f.kind} ${f.id} after ${f.attempts} attempt(s): ${f.error}`);
  return lines.join('\n');
}
