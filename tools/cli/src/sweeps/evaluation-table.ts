import { table } from '../curves';
import { evaluationsOf, sameConfig, type SweepJob } from './job-graph';
import type { ResultRow } from './local-runner';
import { curveLabel, methodLabel } from './sweep-report';

/**
 * The finished evaluations of a sweep as a text table: one line per pair, method (with its cell's
 * matcher settings) and correction; B's config after A's where they differ.
 */
export function evaluationTable(jobs: readonly SweepJob[], rows: readonly ResultRow[]): string {
  return table(
    ['config', 'seeds', 'method', 'correction', 'loss barrier', 'accuracy barrier (pts)'],
    evaluationsOf(jobs, rows)
      .filter((e) => curveLabel(e.inputs) !== undefined)
      .map(({ inputs, align, a, b, metrics }) => {
        const barriers = (metrics as { barriers?: { loss: number; accuracy: number } }).barriers;
        return [
          sameConfig(a, b) ? JSON.stringify(a.config) : `${JSON.stringify(a.config)} / B ${JSON.stringify(b.config)}`,
          `${a.seed}/${b.seed}`,
          methodLabel(align),
          curveLabel(inputs)!,
          barriers ? barriers.loss.toFixed(4) : '-',
          barriers ? (barriers.accuracy * 100).toFixed(2) : '-',
        ];
      }),
  );
}
