import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { CLI_ARGV } from '../cli-process';
import type { SweepJob } from './job-graph';

/** What a finished job leaves: its metrics (the command's JSON result) and the seconds it took. */
export interface JobOutcome {
  metrics: Record<string, unknown>;
  seconds: number;
}

/**
 * Where a job's outputs go in the store: models/<id>.safetensors (trained), merges/<id>.safetensors,
 * align/<id>/, evaluate/<id>/, robustness/<id>/.
 */
export function jobPaths(
  store: string,
  id: string,
): { model: string; merged: string; align: string; evaluate: string; robustness: string } {
  return {
    model: join(store, 'models', `${id}.safetensors`),
    merged: join(store, 'merges', `${id}.safetensors`),
    align: join(store, 'align', id),
    evaluate: join(store, 'evaluate', id),
    robustness: join(store, 'robustness', id),
  };
}

/** The checkpoint a train or merge job writes. */
function checkpointOf(job: SweepJob, store: string): string {
  return job.kind === 'merge' ? jobPaths(store, job.id).merged : jobPaths(store, job.id).model;
}

/**
 * The `weightspace` command line that does a job, writing into the store; `--json` makes it print
 * its result. `jobs` finds the jobs it depends on (an evaluation reads the models its alignment
 * names). Align with method `none` writes nothing (undefined): the evaluation reads B as trained.
 * `threads` caps the worker threads of a curve, so jobs running side by side share the cores
 * instead of each taking all of them (the results do not depend on it).
 */
export function jobCommand(
  job: SweepJob,
  jobs: ReadonlyMap<string, SweepJob>,
  store: string,
  backend: string,
  threads?: number,
): string[] | undefined {
  const common = ['--backend', backend, '--json'];
  switch (job.kind) {
    case 'train': {
      const { inputs } = job;
      return [
        'train',
        ...['--arch', inputs.arch, '--dataset', inputs.dataset, '--config', JSON.stringify(inputs.config)],
        ...['--seed', String(inputs.seed), '--epochs', String(inputs.train.epochs)],
        ...['--batch-size', String(inputs.train.batchSize), '--lr', String(inputs.train.learningRate)],
        ...(inputs.train.trainLimit ? ['--train-limit', String(inputs.train.trainLimit)] : []),
        ...(inputs.init ? ['--init', jobPaths(store, inputs.init).model] : []),
        ...(inputs.warmStart ? ['--warm-start', jobPaths(store, inputs.warmStart).model] : []),
        ...(inputs.train.optimizer ? ['--optimizer', inputs.train.optimizer] : []),
        ...(inputs.train.momentum !== undefined ? ['--momentum', String(inputs.train.momentum)] : []),
        ...(inputs.train.weightDecay !== undefined ? ['--weight-decay', String(inputs.train.weightDecay)] : []),
        ...['--out', jobPaths(store, job.id).model, ...common],
      ];
    }
    case 'align': {
      const { inputs } = job;
      if (inputs.method === 'none') return undefined;
      return [
        'align',
        ...['--a', jobPaths(store, inputs.a).model, '--b', jobPaths(store, inputs.b).model],
        ...['--method', inputs.method, '--dataset', inputs.dataset, '--out', jobPaths(store, job.id).align],
        ...(inputs.options?.samples ? ['--samples', String(inputs.options.samples)] : []),
        ...(inputs.options?.steps ? ['--steps', String(inputs.options.steps)] : []),
        ...(inputs.options?.learningRate ? ['--lr', String(inputs.options.learningRate)] : []),
        ...(inputs.options?.batchSize ? ['--batch-size', String(inputs.options.batchSize)] : []),
        ...(inputs.options?.form ? ['--form', inputs.options.form] : []),
        ...(inputs.options?.orthogonalAs ? ['--orthogonal-as', inputs.options.orthogonalAs] : []),
        ...(inputs.options?.maxIterations ? ['--max-iterations', String(inputs.options.maxIterations)] : []),
        ...(inputs.options?.arch ? ['--arch', inputs.options.arch] : []),
        ...(inputs.options?.matcherOptions
          ? [
              '--matcher-option',
              Object.entries(inputs.options.matcherOptions)
                .map(([k, v]) => `${k}=${v}`)
                .join(','),
            ]
          : []),
        ...(inputs.options?.bruteForce
          ? [
              ...['--brute-force', '--points', String(inputs.options.bruteForce.points)],
              ...(inputs.options.bruteForce.testLimit
                ? ['--test-limit', String(inputs.options.bruteForce.testLimit)]
                : []),
            ]
          : []),
        ...common,
      ];
    }
    case 'evaluate': {
      const { inputs } = job;
      const align = jobs.get(inputs.align) as Extract<SweepJob, { kind: 'align' }>;
      const b =
        align.inputs.method === 'none'
          ? jobPaths(store, align.inputs.b).model
          : join(jobPaths(store, align.id).align, 'b_aligned.safetensors');
      const pair = ['--a', jobPaths(store, align.inputs.a).model, '--b', b, '--dataset', inputs.dataset];
      // The samples evaluated: test ones, or the first training ones for `train-barrier`.
      const limit =
        inputs.metric === 'train-barrier'
          ? ['--split', 'train', ...(inputs.trainLimit ? ['--train-limit', String(inputs.trainLimit)] : [])]
          : inputs.testLimit
            ? ['--test-limit', String(inputs.testLimit)]
            : [];
      const out = ['--out', jobPaths(store, job.id).evaluate, ...common];
      if (inputs.metric === 'llfc') return ['llfc', ...pair, ...limit, ...out];
      if (inputs.metric === 'lewc') {
        const calibration = inputs.statSamples ? ['--calibration-limit', String(inputs.statSamples)] : [];
        return ['lewc', ...pair, '--points', String(inputs.points), ...calibration, ...limit, ...out];
      }
      return [
        'interpolate',
        ...pair,
        ...['--points', String(inputs.points), '--correct', inputs.correction],
        ...limit,
        ...(inputs.statSamples ? ['--stat-samples', String(inputs.statSamples)] : []),
        ...(threads ? ['--threads', String(threads)] : []),
        ...out,
      ];
    }
    case 'merge': {
      const { inputs } = job;
      return [
        'merge',
        ...['--method', inputs.method, ...(inputs.matcher ? ['--matcher', inputs.matcher] : [])],
        ...['--dataset', inputs.dataset, '--out', jobPaths(store, job.id).merged, ...common],
        ...inputs.models.map((id) => jobPaths(store, id).model),
      ];
    }
    case 'robustness': {
      const { inputs } = job;
      const { settings } = inputs;
      const model = jobs.get(inputs.model);
      if (!model) throw new Error(`robustness job ${job.id}: its model's job ${inputs.model} is not known`);
      return [
        'robustness',
        ...['--model', checkpointOf(model, store), '--dataset', inputs.dataset],
        ...(settings.eps ? ['--eps', settings.eps.join(',')] : []),
        ...(settings.noise ? ['--noise', settings.noise.join(',')] : []),
        ...(settings.pgdSteps ? ['--pgd-steps', String(settings.pgdSteps)] : []),
        ...(settings.attackLimit ? ['--attack-limit', String(settings.attackLimit)] : []),
        ...(inputs.testLimit ? ['--test-limit', String(inputs.testLimit)] : []),
        ...['--out', jobPaths(store, job.id).robustness, ...common],
      ];
    }
  }
}

/**
 * Runs one command line of the CLI in its own process (a long training step never blocks the
 * caller, and the process ends when the caller does) and returns its JSON result. Rejects naming the job and the command's last error line.
 */
export function runCommand(label: string, args: readonly string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGV, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WEIGHTSPACE_EXIT_WITH_PARENT: '1' },
    });
    let out = '';
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new Error(`${label} ${why}: ${tail.trim().split('\n').pop() ?? ''}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch {
        reject(new Error(`${label} printed no JSON result`));
      }
    });
  });
}

/** The result a finished job left in the store (`result.json`), if it finished before. */
export function storedResult(path: string): Record<string, unknown> | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : undefined;
}

/** The worker threads each of `parallel` jobs running side by side gets: the cores shared out, at least one. */
export function threadsPerJob(parallel: number): number {
  return Math.max(1, Math.floor(cpus().length / Math.max(1, parallel)));
}
