import { table } from '../curves';
import { evaluationsOf, type SweepJob } from './job-graph';
import type { ResultRow } from './local-runner';

/** The finished evaluations of a sweep as a text table: one line per pair, method and correction. */
export function evaluationTable(jobs: readonly SweepJob[], rows: readonly ResultRow[]): string {
  return table(
    ['config', 'seeds', 'method', 'correction', 'loss barrier', 'accuracy barrier (pts)'],
    evaluationsOf(jobs, rows)
      .filter((e) => e.inputs.metric === 'barrier')
      .map(({ inputs, align, a, b, metrics }) => {
        const barriers = (metrics as { barriers?: { loss: number; accuracy: number } }).barriers;
        return [
          JSON.stringify(a.config),
          `${a.seed}/${b.seed}`,
          align.method,
          inputs.correction,
          barriers ? barriers.loss.toFixed(4) : '-',
          barriers ? (barriers.accuracy * 100).toFixed(2) : '-',
        ];
      }),
  );
}
