import { disposeParams, train, validateAgainst } from '@weightspace/core';
import { integerFlag, jsonFlag, numberFlag, optionalString, parse, requireString } from '../args';
import { checkpointNameFlags, type FlagTable, jsonFlags } from '../flags';
import { loadModel, saveModel } from '../checkpoint';
import { checkpointNames } from '../checkpoint-names';
import { UsageError } from '../usage-error';
import { chooseBackend, type Command, printResult } from '../command';
import { progressBar } from '../progress-bar';
import { assertClassesFit, assertInputKind, assertInputsFit } from '../inputs-fit';
import { assertWritableFile } from '../output-path';
import { configFieldFlags, withConfigFields } from '../config-overrides';
import { warmStarted } from '../warm-start';

const flags: FlagTable = {
  arch: { type: 'string', value: 'ID', description: 'architecture or variant (see weightspace list)', required: true },
  dataset: { type: 'string', value: 'ID', description: 'dataset to train on (see weightspace list)', required: true },
  out: { type: 'string', value: 'FILE', description: 'the trained checkpoint (.safetensors)', required: true },
  config: {
    type: 'string',
    value: 'JSON|FILE',
    description: "the architecture's config, inline or a JSON file",
    default: "the architecture's default for the dataset",
  },
  init: {
    type: 'string',
    value: 'FILE',
    description: 'continue from this checkpoint (spawning) instead of a fresh init',
  },
  'warm-start': {
    type: 'string',
    value: 'FILE',
    description:
      "start from this checkpoint's tensors wherever name and shape agree, the rest from the seed (a pretrained trunk under new layers: Tran et al.'s MoE fine-tuning)",
  },
  seed: { type: 'string', value: 'N', description: 'seed of the initialisation and the batch order', default: '0' },
  epochs: {
    type: 'string',
    value: 'N',
    description: 'passes over the training split (0: save the initialisation, e.g. to interpolate from it)',
    default: '5',
  },
  'batch-size': { type: 'string', value: 'N', description: 'samples per step', default: '512' },
  lr: { type: 'string', value: 'X', description: 'learning rate', default: '0.001' },
  optimizer: {
    type: 'string',
    value: 'adam|adamw|sgd',
    description: 'optimiser of the training steps',
    default: 'adam',
  },
  momentum: { type: 'string', value: 'X', description: "SGD's momentum", default: '0.9' },
  'weight-decay': {
    type: 'string',
    value: 'X',
    description: 'L2 (SGD, Adam) or decoupled (AdamW) decay',
    default: '0',
  },
  'train-limit': { type: 'string', value: 'N', description: 'train on the first N samples only', default: 'all' },
  ...configFieldFlags,
  ...checkpointNameFlags,
  ...jsonFlags,
};

export const trainCommand: Command = {
  name: 'train',
  summary: 'train one model from a seed and save it as safetensors',
  flags,
  async run(argv, context) {
    const parsed = parse(argv, flags);
    const out = requireString(parsed, 'out');
    const plugin = context.registry.architecture(requireString(parsed, 'arch'));
    const datasetPlugin = context.registry.dataset(requireString(parsed, 'dataset'));
    const seed = integerFlag(parsed, 'seed', 0) as number;
    const optimizer = optionalString(parsed, 'optimizer') ?? 'adam';
    if (optimizer !== 'adam' && optimizer !== 'adamw' && optimizer !== 'sgd')
      throw new UsageError(`--optimizer must be adam, adamw or sgd, got '${optimizer}'`);
    const options = {
      epochs: integerFlag(parsed, 'epochs', 5, 0) as number,
      batchSize: integerFlag(parsed, 'batch-size', 512, 1) as number,
      learningRate: numberFlag(parsed, 'lr', 1e-3),
      optimizer: optimizer as 'adam' | 'adamw' | 'sgd',
      momentum: numberFlag(parsed, 'momentum', 0.9, { zero: true }),
      weightDecay: numberFlag(parsed, 'weight-decay', 0, { zero: true }),
    };
    const initFile = optionalString(parsed, 'init');
    const warmFile = optionalString(parsed, 'warm-start');
    if (initFile && warmFile)
      throw new UsageError('give --init (continue a model) or --warm-start (reuse its tensors), not both');
    assertWritableFile('--out', out, { '--init': initFile, '--warm-start': warmFile });
    const trainLimit = integerFlag(parsed, 'train-limit', undefined, 1);
    const explicit = jsonFlag(parsed, 'config');
    await chooseBackend(parsed, context, { command: 'train' });
    const data = await datasetPlugin.load({ trainLimit, testLimit: 1 });
    // Continuing from a checkpoint (spawning) takes its architecture and config from the file.
    assertInputKind(plugin, data);
    const parent = initFile ? loadModel(initFile, context.registry, plugin.id, checkpointNames(parsed)) : undefined;
    const config = parent
      ? parent.config
      : validateAgainst<unknown>(
          plugin.configSchema,
          withConfigFields(parsed, plugin, explicit ?? plugin.defaultConfig(data)),
          `--config for ${plugin.id}`,
        );
    const who = initFile ?? `--config for ${plugin.id}`;
    assertInputsFit(plugin, config, data, who);
    const fresh = parent ? parent.params : plugin.init(config, seed);
    const initial = warmFile ? warmStarted(fresh, warmFile, checkpointNames(parsed), context.log) : fresh;
    assertClassesFit(plugin, config, initial, data, who);
    const result = train(plugin, config, initial, data.train, {
      ...options,
      seed,
      progress: progressBar(),
      task: `train seed ${seed}`,
    });
    disposeParams(initial);
    saveModel(out, plugin, config, result.params, {
      arch: plugin.id,
      config,
      dataset: data.id,
      trainCount: data.train.count,
      seed,
      train: options,
      init: initFile ?? null,
    });
    disposeParams(result.params);
    const summary = {
      out,
      arch: plugin.id,
      config,
      epochLosses: result.epochLosses,
      steps: result.steps,
      seconds: result.seconds,
    };
    printResult(context, parsed, summary, () =>
      context.print(
        `saved ${out} (${plugin.id} ${JSON.stringify(config)}, ${finalLoss(result.epochLosses)}, ${result.seconds.toFixed(1)} s)`,
      ),
    );
  },
};

/** The last epoch's mean loss as the summary line gives it; with 0 epochs, that the model is its initialisation. */
function finalLoss(epochLosses: readonly number[]): string {
  const last = epochLosses.at(-1);
  return last === undefined ? 'untrained: its initialisation' : `final epoch loss ${last.toFixed(4)}`;
}
