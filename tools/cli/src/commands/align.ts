import { disposeParams, withDirectoryLock } from '@weightspace/core';
import { join } from 'node:path';
import { integerFlag, optionalString, parse, requireString } from '../args';
import { UsageError } from '../usage-error';
import { assertInputsFit } from '../inputs-fit';
import { alignModels, writeAlignment } from '../alignment';
import { loadPair } from '../checkpoint';
import { chooseBackend, type Command } from '../command';
import { progressBar } from '../progress-bar';
import { assertWritableDirectory } from '../output-path';

export const alignCommand: Command = {
  name: 'align',
  summary: 'align checkpoint B to A; write b_aligned.safetensors and alignment.json',
  usage:
    'weightspace align --a A.safetensors --b B.safetensors --out DIR [--arch ID] [--method weight|activation|ste] [--dataset ID --samples N --steps N --batch-size N] [--seed N] [--max-iterations N] [--backend ID]',
  async run(argv, context) {
    const parsed = parse(argv, {
      arch: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      out: { type: 'string' },
      method: { type: 'string' },
      seed: { type: 'string' },
      'max-iterations': { type: 'string' },
      dataset: { type: 'string' },
      samples: { type: 'string' },
      steps: { type: 'string' },
      'batch-size': { type: 'string' },
    });
    const fileA = requireString(parsed, 'a');
    const fileB = requireString(parsed, 'b');
    const out = requireString(parsed, 'out');
    assertWritableDirectory('--out', out, ['b_aligned.safetensors', 'alignment.json'], { '--a': fileA, '--b': fileB });
    const method = optionalString(parsed, 'method') ?? 'weight';
    const matcher = context.registry.matcher(method);
    const datasetId = optionalString(parsed, 'dataset');
    if (matcher.needsData && !datasetId)
      throw new UsageError(`--method ${method} looks at features or losses on training data: give --dataset`);
    const seed = integerFlag(parsed, 'seed', 0) as number;
    const maxIterations = integerFlag(parsed, 'max-iterations', 100, 1) as number;
    // One writer per output directory: a second align into it is refused, naming the first.
    await withDirectoryLock(out, 'weightspace align', async () => {
      await chooseBackend(parsed, context, { command: 'align' });
      const [a, b] = loadPair(fileA, fileB, context.registry, optionalString(parsed, 'arch'));
      const samples = integerFlag(parsed, 'samples', 5000, 1) as number;
      const data = datasetId
        ? await context.registry.dataset(datasetId).load({ trainLimit: samples, testLimit: 1 })
        : undefined;
      if (data) assertInputsFit(a.plugin, a.config, data, fileA);
      const matchData = data && {
        plugin: a.plugin,
        config: a.config,
        train: data.train,
        samples,
        steps: integerFlag(parsed, 'steps', undefined, 1),
        batchSize: integerFlag(parsed, 'batch-size', 500, 1),
      };
      const { record, aligned } = alignModels(context.registry, a.plugin, a.config, a.params, b.params, {
        method,
        seed,
        maxIterations,
        progress: progressBar(),
        data: matchData,
      });
      writeAlignment(out, a.plugin, a.config, aligned, record, {
        arch: a.plugin.id,
        config: a.config,
        alignedTo: fileA,
        source: fileB,
      });
      [a.params, b.params, aligned].forEach(disposeParams);
      context.print(
        `aligned ${fileB} to ${fileA} (${a.plugin.id}, ${method}): objective ${record.objectiveBefore.toFixed(3)} → ${record.objectiveAfter.toFixed(3)} in ${record.iterations} iterations, ${record.seconds.toFixed(2)} s`,
      );
      context.print(`wrote ${join(out, 'b_aligned.safetensors')} and ${join(out, 'alignment.json')}`);
    });
  },
};
