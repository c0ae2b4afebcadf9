import { disposeParams, train, validateAgainst } from '@weightspace/core';
import { integerFlag, jsonFlag, numberFlag, optionalString, parse, requireString } from '../args';
import { loadModel, saveModel } from '../checkpoint';
import { UsageError } from '../usage-error';
import { chooseBackend, type Command } from '../command';
import { progressBar } from '../progress-bar';
import { assertClassesFit, assertInputsFit } from '../inputs-fit';
import { assertWritableFile } from '../output-path';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train one model from a seed and save it as safetensors',
  usage:
    'weightspace train --arch ID --dataset ID --out FILE.safetensors [--config JSON|FILE] [--init FILE.safetensors] [--seed N] [--epochs N] [--batch-size N] [--lr X] [--optimizer adam|adamw|sgd] [--momentum X] [--weight-decay X] [--train-limit N] [--backend ID]',
  async run(argv, context) {
    const parsed = parse(argv, {
      arch: { type: 'string' },
      dataset: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      seed: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'train-limit': { type: 'string' },
      init: { type: 'string' },
      optimizer: { type: 'string' },
      momentum: { type: 'string' },
      'weight-decay': { type: 'string' },
    });
    const out = requireString(parsed, 'out');
    const plugin = context.registry.architecture(requireString(parsed, 'arch'));
    const datasetPlugin = context.registry.dataset(requireString(parsed, 'dataset'));
    const seed = integerFlag(parsed, 'seed', 0) as number;
    const optimizer = optionalString(parsed, 'optimizer') ?? 'adam';
    if (optimizer !== 'adam' && optimizer !== 'adamw' && optimizer !== 'sgd')
      throw new UsageError(`--optimizer must be adam, adamw or sgd, got '${optimizer}'`);
    const options = {
      epochs: integerFlag(parsed, 'epochs', 5, 1) as number,
      batchSize: integerFlag(parsed, 'batch-size', 512, 1) as number,
      learningRate: numberFlag(parsed, 'lr', 1e-3),
      optimizer: optimizer as 'adam' | 'adamw' | 'sgd',
      momentum: numberFlag(parsed, 'momentum', 0.9, { zero: true }),
      weightDecay: numberFlag(parsed, 'weight-decay', 0, { zero: true }),
    };
    const initFile = optionalString(parsed, 'init');
    assertWritableFile('--out', out, { '--init': initFile });
    const trainLimit = integerFlag(parsed, 'train-limit', undefined, 1);
    const explicit = jsonFlag(parsed, 'config');
    await chooseBackend(parsed, context, { command: 'train' });
    const data = await datasetPlugin.load({ trainLimit, testLimit: 1 });
    // Continuing from a checkpoint (spawning) takes its architecture and config from the file.
    const parent = initFile ? loadModel(initFile, context.registry, plugin.id) : undefined;
    const config = parent
      ? parent.config
      : validateAgainst<unknown>(
          plugin.configSchema,
          explicit ?? plugin.defaultConfig(data),
          `--config for ${plugin.id}`,
        );
    const who = initFile ?? `--config for ${plugin.id}`;
    assertInputsFit(plugin, config, data, who);
    const initial = parent ? parent.params : plugin.init(config, seed);
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
    context.print(
      `saved ${out} (${plugin.id} ${JSON.stringify(config)}, final epoch loss ${result.epochLosses.at(-1)?.toFixed(4)}, ${result.seconds.toFixed(1)} s)`,
    );
  },
};
