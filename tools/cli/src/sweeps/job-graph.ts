import { createHash } from 'node:crypto';
import type { SweepCell } from './sweep-file';

/** Training one model: what `weightspace train` is given. */
export interface TrainJobInputs {
  arch: string;
  config: Record<string, unknown>;
  dataset: string;
  seed: number;
  train: SweepCell['train'];
  /** The parent model's job id, when this model is spawned from it (`train --init`). */
  init?: string;
  /** The job id of a model of another config whose matching tensors this one starts from (`train --warm-start`). */
  warmStart?: string;
}

/** Aligning B to A by a method (`none`: B as trained), the models named by their jobs' ids. */
export interface AlignJobInputs {
  a: string;
  b: string;
  method: string;
  dataset: string;
  /** How the matcher runs (`SweepCell.align`), when the cell says (absent from the id otherwise). */
  options?: SweepCell['align'];
}

/** A metric of an aligned pair: the barrier curve under a correction (on the test or the training split), LLFC or LEWC. */
export interface EvaluateJobInputs {
  align: string;
  metric: SweepCell['metrics'][number];
  correction: string;
  points: number;
  dataset: string;
  testLimit?: number;
  /** `train-barrier`: the first training samples evaluated (all when absent). */
  trainLimit?: number;
  statSamples?: number;
}

/** Merging trained models (named by their jobs' ids, in the set's order) into one. */
export interface MergeJobInputs {
  models: string[];
  method: NonNullable<SweepCell['merges']>['methods'][number];
  /** The matcher that aligns the models (none for `average`). */
  matcher?: string;
  dataset: string;
}

/** Robustness of one model: a trained one or a merge, named by its job's id. */
export interface RobustnessJobInputs {
  model: string;
  dataset: string;
  settings: NonNullable<SweepCell['robustness']>;
  testLimit?: number;
}

/** One job of a sweep: its id is the hash of its kind and inputs, so equal work is one job. */
export type SweepJob =
  | { id: string; kind: 'train'; inputs: TrainJobInputs; dependsOn: string[] }
  | { id: string; kind: 'align'; inputs: AlignJobInputs; dependsOn: string[] }
  | { id: string; kind: 'evaluate'; inputs: EvaluateJobInputs; dependsOn: string[] }
  | { id: string; kind: 'merge'; inputs: MergeJobInputs; dependsOn: string[] }
  | { id: string; kind: 'robustness'; inputs: RobustnessJobInputs; dependsOn: string[] };

/**
 * The jobs of a sweep's cells, each once, in an order where every job follows the jobs it depends
 * on: per cell, one train job per seed; per seed pair and method, one align job (on both models);
 * per aligned pair, correction and metric, one evaluate job; per merge set and method, one merge
 * job; per seed of `initPaths`, its initialisation (a train job of 0 epochs) and the path from it
 * to the trained model, measured like a pair aligned by `none`; per seed of `models`, one train job; with robustness, one robustness job per model of
 * `models`, per model merged and per merge. Two cells that train a model alike
 * (same architecture, config, dataset, seed and training settings) share its job, and so every
 * method and metric that uses it.
 */
export function expandSweep(cells: readonly SweepCell[]): SweepJob[] {
  const jobs = new Map<string, SweepJob>();
  const add = (job: Omit<SweepJob, 'id'>): string => {
    const id = jobId(job.kind, job.inputs);
    if (!jobs.has(id)) jobs.set(id, { ...job, id } as SweepJob);
    return id;
  };
  for (const cell of cells) {
    const model = { arch: cell.arch, config: cell.config, dataset: cell.dataset };
    const parentConfig = cell.spawn?.config ? mergePatch(cell.config, cell.spawn.config) : cell.config;
    const parent = cell.spawn
      ? add({
          kind: 'train',
          inputs: {
            ...model,
            config: parentConfig,
            seed: cell.spawn.seed,
            train: { ...cell.train, epochs: cell.spawn.epochs },
          },
          dependsOn: [],
        })
      : undefined;
    // A parent of another config lends its matching tensors; one of the same config is continued.
    const start = parent ? (cell.spawn?.config ? { warmStart: parent } : { init: parent }) : {};
    const trained = (seed: number, config = cell.config) =>
      add({
        kind: 'train',
        inputs: { ...model, config, seed, train: cell.train, ...start },
        dependsOn: parent ? [parent] : [],
      });
    const trainBarrierLimit = cell.trainBarrierSamples ?? cell.train.trainLimit;
    /** Aligns B to A by each method and measures every metric of the cell on each aligned pair. */
    const measure = (a: string, b: string, methods: readonly string[]) => {
      for (const method of methods) {
        // `none` is the pair as trained: one job whatever the matchers' settings.
        const options = method !== 'none' && cell.align ? { options: cell.align } : {};
        const align = add({
          kind: 'align',
          inputs: { a, b, method, dataset: cell.dataset, ...options },
          dependsOn: [a, b],
        });
        for (const metric of cell.metrics) {
          // The samples evaluated: the first training ones for `train-barrier`, else test ones
          // (an absent limit, all of them, is left out of the job's id by canonicalJson).
          const limit = metric === 'train-barrier' ? { trainLimit: trainBarrierLimit } : { testLimit: cell.testLimit };
          // Corrections apply to the test barrier curve; the others look at the pair as it is.
          for (const correction of metric === 'barrier' ? cell.corrections : ['plain']) {
            const inputs: EvaluateJobInputs = {
              align,
              metric,
              correction,
              points: cell.points,
              dataset: cell.dataset,
              ...limit,
              // Statistics: a correction's, or LEWC's temperature calibration.
              ...(cell.statSamples && (correction !== 'plain' || metric === 'lewc')
                ? { statSamples: cell.statSamples }
                : {}),
            };
            add({ kind: 'evaluate', inputs, dependsOn: [align] });
          }
        }
      }
    };
    const configB = cell.configB ? { ...cell.config, ...cell.configB } : cell.config;
    for (const [seedA, seedB] of cell.pairs) measure(trained(seedA), trained(seedB, configB), cell.methods);
    // A path from a seed's initialisation (its model after 0 epochs) to its trained model, as they are.
    for (const seed of cell.initPaths ?? []) {
      const initial = add({
        kind: 'train',
        inputs: { ...model, seed, train: { ...cell.train, epochs: 0 } },
        dependsOn: [],
      });
      measure(initial, trained(seed), ['none']);
    }
    const robustnessOf = (model: string) => {
      if (!cell.robustness) return;
      const inputs: RobustnessJobInputs = {
        model,
        dataset: cell.dataset,
        settings: cell.robustness,
        ...(cell.testLimit ? { testLimit: cell.testLimit } : {}),
      };
      add({ kind: 'robustness', inputs, dependsOn: [model] });
    };
    for (const seed of cell.models ?? []) {
      const model = trained(seed);
      robustnessOf(model);
    }
    for (const set of cell.merges?.sets ?? []) {
      const models = set.map((seed) => trained(seed));
      models.forEach(robustnessOf);
      for (const method of cell.merges!.methods) {
        const matcher = method === 'average' ? {} : { matcher: cell.merges!.matcher ?? 'weight' };
        robustnessOf(
          add({ kind: 'merge', inputs: { models, method, ...matcher, dataset: cell.dataset }, dependsOn: models }),
        );
      }
    }
  }
  return [...jobs.values()];
}

/** `base` with `patch`'s fields set, and those `patch` sets to null removed (JSON merge patch, one level). */
export function mergePatch(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/**
 * A job's id: the first 20 hex digits of the SHA-256 of its kind and inputs as canonical JSON
 * (object keys sorted at every level), so the same work gets the same id on every machine.
 */
export function jobId(kind: string, inputs: object): string {
  return createHash('sha256').update(canonicalJson({ kind, inputs })).digest('hex').slice(0, 20);
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether a pair's two models were built from one config (not a B of another width, `configB`). */
export function sameConfig(a: TrainJobInputs, b: TrainJobInputs): boolean {
  return canonicalJson(a.config) === canonicalJson(b.config);
}

/** A finished evaluation with what it measured: its inputs, the alignment and both trained models. */
export interface Evaluation {
  inputs: EvaluateJobInputs;
  align: AlignJobInputs;
  a: TrainJobInputs;
  b: TrainJobInputs;
  metrics: Record<string, unknown>;
}

/**
 * The done evaluations among `rows` (result rows of `jobs`), each with its alignment and its two
 * trained models looked up in the job graph; rows of other jobs, or of jobs not in it, are skipped.
 */
export function evaluationsOf(
  jobs: readonly SweepJob[],
  rows: ReadonlyArray<{ id: string; kind: string; status: string; inputs: unknown; metrics: Record<string, unknown> }>,
): Evaluation[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  return rows.flatMap((row) => {
    if (row.kind !== 'evaluate' || row.status !== 'done') return [];
    const inputs = row.inputs as EvaluateJobInputs;
    const align = byId.get(inputs.align);
    const [a, b] = align?.kind === 'align' ? [byId.get(align.inputs.a), byId.get(align.inputs.b)] : [];
    if (align?.kind !== 'align' || a?.kind !== 'train' || b?.kind !== 'train') return [];
    return [{ inputs, align: align.inputs, a: a.inputs, b: b.inputs, metrics: row.metrics }];
  });
}
