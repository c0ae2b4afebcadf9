/**
 * Work run in worker threads (`runInThreads`), one core each. Every function builds its own
 * registry (from a `RegistrySource`: the worker cannot receive the caller's) and backend, takes
 * plain host data and returns plain host data. They read tensors asynchronously, so they run on
 * the webgpu backend too.
 */
import { activateBackend } from '../backend/backend-provider';
import type { Split } from '../data/dataset';
import { type CurvePoint, curvePointsAsync } from '../metrics/barrier';
import { EvaluationBatches } from '../metrics/evaluation-batches';
import { disposeParams } from '../params/params';
import type { ProgressSink } from '../progress/progress';
import type { Registry } from '../registry/registry';
import { trainAsync, type TrainOptions } from '../train/train';
import { type HostParams, paramsFromHost, paramsToHostAsync } from './host-params';
import type { WorkerState } from './threads';

/**
 * How a worker builds the caller's registry: `require(module)[exportName]()` (sync or async),
 * `module` an absolute path. The CLI passes its module list; a plugin's own tool passes its own.
 */
export interface RegistrySource {
  module: string;
  exportName: string;
}

interface InThread {
  registry: RegistrySource;
  backend: string;
  arch: string;
  config: unknown;
}

/**
 * A model to train in a worker thread: the architecture, config, training split, options and where
 * to start.
 */
export interface TrainModelInput extends InThread {
  /** The training samples; on shared memory (as the dataset loaders make them) they are not copied. */
  train: Split;
  /** Where training starts; by default the plugin's initialisation from `options.seed`. */
  initial?: HostParams;
  options: Omit<TrainOptions, 'progress'>;
}

/**
 * A model trained in a worker thread: its parameters on the host, the loss of every epoch and the
 * seconds it took.
 */
export interface TrainModelOutput {
  params: HostParams;
  epochLosses: number[];
  seconds: number;
}

export interface CurvePointsInput extends InThread {
  a: HostParams;
  b: HostParams;
  /** The samples this thread evaluates: a slice of the test split. */
  test: Split;
  ts: number[];
  task: string;
}

/** What a pooled worker keeps between jobs: each registry built once, the backend it activated. */
interface TaskCache {
  registries: Map<string, Promise<Registry>>;
  activeBackend?: string;
}

function taskCache(workerState: WorkerState): TaskCache {
  let cache = workerState.get('thread-tasks') as TaskCache | undefined;
  if (!cache) {
    cache = { registries: new Map() };
    workerState.set('thread-tasks', cache);
  }
  return cache;
}

async function setUp(input: InThread, workerState: WorkerState) {
  const cache = taskCache(workerState);
  const key = `${input.registry.module}#${input.registry.exportName}`;
  let built = cache.registries.get(key);
  if (!built) {
    const factory = (require(input.registry.module) as Record<string, () => Registry | Promise<Registry>>)[
      input.registry.exportName
    ];
    if (typeof factory !== 'function')
      throw new Error(`${input.registry.module} exports no function '${input.registry.exportName}'`);
    built = Promise.resolve(factory());
    cache.registries.set(key, built);
  }
  const registry = await built;
  if (cache.activeBackend !== input.backend)
    cache.activeBackend = await activateBackend(registry.backends(), input.backend);
  return { registry, plugin: registry.architecture(input.arch) };
}

/** Trains one model from `initial` on the given training split (see `train`). */
export async function trainModel(
  input: TrainModelInput,
  progress: ProgressSink,
  workerState: WorkerState,
): Promise<TrainModelOutput> {
  const { plugin } = await setUp(input, workerState);
  const initial = input.initial ? paramsFromHost(input.initial) : plugin.init(input.config, input.options.seed);
  const result = await trainAsync(plugin, input.config, initial, input.train, { ...input.options, progress });
  disposeParams(initial);
  const params = await paramsToHostAsync(result.params);
  disposeParams(result.params);
  return { params, epochLosses: result.epochLosses, seconds: result.seconds };
}

/** The plain interpolation curve of A and B at the given t on `test` (see `curvePoints`). */
export async function curvePointsTask(
  input: CurvePointsInput,
  progress: ProgressSink,
  workerState: WorkerState,
): Promise<CurvePoint[]> {
  const { plugin } = await setUp(input, workerState);
  const [a, b] = [paramsFromHost(input.a), paramsFromHost(input.b)];
  const batches = EvaluationBatches.forModel(input.test, plugin, input.config);
  try {
    return await curvePointsAsync(plugin, input.config, a, b, batches, input.ts, {
      progress,
      task: input.task,
      batchSums: true,
    });
  } finally {
    batches.dispose();
    disposeParams(a);
    disposeParams(b);
  }
}
