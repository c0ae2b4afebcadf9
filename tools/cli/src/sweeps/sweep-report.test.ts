import { type AlignJobInputs, expandSweep, type SweepJob, type TrainJobInputs } from './job-graph';
import { finishedRow, type ResultRow } from './local-runner';
import { sweepEnded } from './queue-coordinator';
import type { SweepJobState } from './results-table';
import { evaluationTable } from './evaluation-table';
import { parseSweepFile } from './sweep-file';
import { cellLabels, meanAndStd, reportCsv, reportLines, reportSvg } from './sweep-report';
import { sweepStatus } from './sweep-status';

/** Two widths × two seed pairs × two methods: the report's groups and statistics from made-up rows. */
const { cells } = parseSweepFile(
  {
    name: 'report',
    base: {
      arch: 'mlp',
      config: { input: 4, hidden: [8], classes: 2 },
      dataset: 'mnist',
      train: { epochs: 1, batchSize: 8, learningRate: 0.01 },
      pairs: [
        [0, 1],
        [2, 3],
      ],
      methods: ['none', 'weight'],
    },
    grid: { 'config.hidden': [[8], [16]] },
  },
  'report.json',
);
const jobs = expandSweep(cells);

/** A finished row for every job; an evaluation's loss barrier is `loss(job)`. */
function rowsWith(loss: (job: SweepJob) => number): ResultRow[] {
  return jobs.map((job) =>
    finishedRow(job, {
      metrics: job.kind === 'evaluate' ? { barriers: { loss: loss(job), accuracy: loss(job) / 10 } } : {},
      seconds: 1,
      attempts: 1,
    }),
  );
}

describe('sweep report', () => {
  it('mean and sample standard deviation', () => {
    expect(meanAndStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3) });
    expect(meanAndStd([7])).toEqual({ mean: 7, std: 0 });
  });

  it('groups evaluations by cell, method and correction over the seed pairs', () => {
    // The loss barrier encodes the cell, the method and the pair: 100·width + 10·method + pair.
    const loss = (job: SweepJob) => {
      const align = jobs.find((j) => j.id === (job.inputs as { align: string }).align)!;
      const { a, method } = align.inputs as AlignJobInputs;
      const trainA = jobs.find((j) => j.id === a)!.inputs as TrainJobInputs;
      return (trainA.config.hidden as number[])[0] * 100 + (method === 'weight' ? 10 : 0) + trainA.seed;
    };
    const lines = reportLines(jobs, rowsWith(loss));
    expect(lines.map((l) => [l.config.hidden, l.method, l.pairs, l.loss.mean])).toEqual([
      [[8], 'none', ['0/1', '2/3'], 801],
      [[8], 'weight', ['0/1', '2/3'], 811],
      [[16], 'none', ['0/1', '2/3'], 1601],
      [[16], 'weight', ['0/1', '2/3'], 1611],
    ]);
    // Seeds 0 and 2 differ by 2: a sample standard deviation of √2.
    for (const l of lines) expect(l.loss.std).toBeCloseTo(Math.SQRT2, 12);
    expect(cellLabels(lines)).toEqual(['hidden=[8]', 'hidden=[8]', 'hidden=[16]', 'hidden=[16]']);
    const csv = reportCsv(lines).trimEnd().split('\n');
    expect(csv).toHaveLength(5);
    // JSON fields are quoted, their quotes doubled.
    expect(csv[1]).toMatch(/^mlp,mnist,"\{""input"":4,""hidden"":\[8\],""classes"":2\}",/);
    const numbers = csv[1].split(',').slice(-4).map(Number);
    [801, Math.SQRT2, 80.1, Math.SQRT2 / 10].forEach((v, i) => expect(numbers[i]).toBeCloseTo(v, 10));
    const svg = reportSvg(lines, 'report');
    expect(svg).toContain('hidden=[16]');
    expect(svg).toContain('loss barrier');
  });

  it('keeps apart the matcher settings and the pairs of two configs that cells give', () => {
    const { cells: settings } = parseSweepFile(
      {
        name: 'settings',
        base: { ...cells[0], pairs: [[0, 1]], methods: ['weight'] },
        cells: [{}, { 'align.orthogonalAs': 'permutation' }, { configB: { hidden: [4] } }],
      },
      'settings.json',
    );
    const graph = expandSweep(settings);
    const rows = graph.map((job) =>
      finishedRow(job, { metrics: { barriers: { loss: 1, accuracy: 0.1 } }, seconds: 1, attempts: 1 }),
    );
    const lines = reportLines(graph, rows);
    expect(lines.map((l) => [l.method, l.configB])).toEqual([
      ['weight', undefined],
      ['weight (orthogonalAs=permutation)', undefined],
      ['weight', { ...cells[0].config, hidden: [4] }],
    ]);
    expect(cellLabels(lines)).toEqual(['B.hidden=[8]', 'B.hidden=[8]', 'B.hidden=[4]']);
    expect(reportCsv(lines).split('\n')[3]).toContain('"{""input"":4,""hidden"":[4],""classes"":2}"');
  });

  it('reports training-loss barriers as their own lines beside the test barriers, and leaves out LLFC', () => {
    const { cells: both } = parseSweepFile(
      {
        name: 'fit',
        base: { ...cells[0], pairs: [[0, 1]], methods: ['none'], metrics: ['barrier', 'train-barrier', 'llfc'] },
      },
      'fit.json',
    );
    const graph = expandSweep(both);
    const rows = graph.map((job) => {
      const onTrain = job.kind === 'evaluate' && job.inputs.metric === 'train-barrier';
      return finishedRow(job, {
        metrics: { barriers: { loss: onTrain ? 2 : 1, accuracy: 0 } },
        seconds: 1,
        attempts: 1,
      });
    });
    const lines = reportLines(graph, rows);
    expect(lines.map((l) => [l.correction, l.loss.mean])).toEqual([
      ['plain', 1],
      ['plain, training split', 2],
    ]);
    expect(evaluationTable(graph, rows)).toContain('plain, training split');
  });

  it('leaves out evaluations that failed or have not run', () => {
    const rows = rowsWith(() => 1).map((r, i) => (i === jobs.length - 1 ? { ...r, status: 'failed' as const } : r));
    const lines = reportLines(jobs, rows.slice(0, -1));
    expect(lines.reduce((n, l) => n + l.pairs.length, 0)).toBe(jobs.filter((j) => j.kind === 'evaluate').length - 1);
  });
});

describe('sweep status and end', () => {
  const state = (job: SweepJob, status: SweepJobState['status'], host?: string): SweepJobState => ({
    id: job.id,
    status,
    ...(host ? { host } : {}),
  });

  it('a sweep has ended when every job is done, failed, or waits on a failed one', () => {
    const trains = jobs.filter((j) => j.kind === 'train');
    const failedTrain = trains[0];
    // Everything done except one model's training, failed: what depends on it waits for ever.
    const dependsOnFailed = (job: SweepJob): boolean =>
      job.dependsOn.some((d) => d === failedTrain.id || dependsOnFailed(jobs.find((j) => j.id === d)!));
    const states = jobs.map((job) =>
      job === failedTrain
        ? state(job, 'failed', 'x')
        : dependsOnFailed(job)
          ? state(job, 'waiting')
          : state(job, 'done', 'x'),
    );
    expect(states.some((s) => s.status === 'waiting')).toBe(true);
    expect(sweepEnded(jobs, states)).toBe(true);
    // One job still running (or queued): not ended.
    const other = jobs.findIndex((j) => j.kind === 'evaluate' && !dependsOnFailed(j));
    expect(
      sweepEnded(
        jobs,
        states.map((s, i) => (i === other ? { ...s, status: 'running' } : s)),
      ),
    ).toBe(false);
    // A job waiting on one that is done (not yet queued): not ended.
    const waitingOnDone = states.map((s, i) => (i === other ? { ...s, status: 'waiting' as const } : s));
    expect(sweepEnded(jobs, waitingOnDone)).toBe(false);
  });

  it('counts jobs per status and per host', () => {
    const states = jobs.map((job, i) =>
      state(job, i % 3 === 0 ? 'done' : i % 3 === 1 ? 'running' : 'waiting', i % 2 ? 'a' : 'b'),
    );
    const status = sweepStatus(states);
    expect(status.jobs).toBe(jobs.length);
    expect(status.counts.done + status.counts.running + status.counts.waiting).toBe(jobs.length);
    const perHost = Object.values(status.hosts).reduce((n, h) => n + (h.done ?? 0) + (h.running ?? 0), 0);
    expect(perHost).toBe(status.counts.done + status.counts.running);
  });
});
