import { table } from '../curves';
import type { AlignJobInputs, EvaluateJobInputs, SweepJob, TrainJobInputs } from './job-graph';
import type { ResultRow } from './local-runner';

/** The finished evaluations of a sweep as a text table: one line per pair, method and correction. */
export function evaluationTable(jobs: readonly SweepJob[], rows: readonly ResultRow[]): string {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const evaluated = rows.filter(
    (r) => r.kind === 'evaluate' && r.status === 'done' && (r.inputs as EvaluateJobInputs).metric === 'barrier',
  );
  return table(
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
  );
}
