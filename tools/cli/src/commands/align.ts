import { disposeParams } from '@weightspace/core';
import { join } from 'node:path';
import { integerFlag, optionalString, parse, requireString } from '../args';
import { alignModels, writeAlignment } from '../alignment';
import { loadPair } from '../checkpoint';
import { chooseBackend, Command } from '../command';
import { progressBar } from '../progress-bar';

export const alignCommand: Command = {
  name: 'align',
  summary: 'align checkpoint B to A; write b_aligned.safetensors and alignment.json',
  usage: 'weightspace align --a A.safetensors --b B.safetensors --out DIR [--arch ID] [--method weight] [--seed N] [--max-iterations N] [--backend ID]',
  async run(argv, context) {
    const parsed = parse(argv, {
      arch: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      out: { type: 'string' },
      method: { type: 'string' },
      seed: { type: 'string' },
      'max-iterations': { type: 'string' },
    });
    const fileA = requireString(parsed, 'a');
    const fileB = requireString(parsed, 'b');
    const out = requireString(parsed, 'out');
    const method = optionalString(parsed, 'method') ?? 'weight';
    context.registry.matcher(method);
    const seed = integerFlag(parsed, 'seed', 0) as number;
    const maxIterations = integerFlag(parsed, 'max-iterations', 100, 1) as number;
    await chooseBackend(parsed, context);
    const [a, b] = loadPair(fileA, fileB, context.registry, optionalString(parsed, 'arch'));
    const { record, aligned } = alignModels(context.registry, a.plugin, a.config, a.params, b.params, { method, seed, maxIterations, progress: progressBar() });
    writeAlignment(out, a.plugin, a.config, aligned, record, { arch: a.plugin.id, config: a.config, alignedTo: fileA, source: fileB });
    [a.params, b.params, aligned].forEach(disposeParams);
    context.print(
      `aligned ${fileB} to ${fileA} (${a.plugin.id}, ${method}): objective ${record.objectiveBefore.toFixed(3)} → ${record.objectiveAfter.toFixed(3)} in ${record.iterations} iterations, ${record.seconds.toFixed(2)} s`,
    );
    context.print(`wrote ${join(out, 'b_aligned.safetensors')} and ${join(out, 'alignment.json')}`);
  },
};
