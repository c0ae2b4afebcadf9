import { assertWritableDirectory } from '../output-path';
import {
  defaultRobustnessOptions,
  disposeParams,
  robustness,
  writeJsonAtomic,
  withDirectoryLock,
} from '@weightspace/core';
import { join } from 'node:path';
import { integerFlag, numberListFlag, optionalString, parse, requireString } from '../args';
import { loadModel } from '../checkpoint';
import { chooseBackend, type Command } from '../command';
import { table } from '../curves';
import { assertInputsFit } from '../inputs-fit';
import { progressBar } from '../progress-bar';

export const robustnessCommand: Command = {
  name: 'robustness',
  summary: 'clean, FGSM, PGD and noisy accuracy, weight norm and Lipschitz bound of a checkpoint',
  usage:
    'weightspace robustness --model M.safetensors --dataset ID --out DIR [--arch ID] [--eps 0.05,0.1] [--noise 0.1,0.3] [--pgd-steps 10] [--test-limit N] [--attack-limit N] [--seed N] [--backend ID]',
  async run(argv, context) {
    const parsed = parse(argv, {
      arch: { type: 'string' },
      model: { type: 'string' },
      dataset: { type: 'string' },
      out: { type: 'string' },
      eps: { type: 'string' },
      noise: { type: 'string' },
      'pgd-steps': { type: 'string' },
      'test-limit': { type: 'string' },
      'attack-limit': { type: 'string' },
      seed: { type: 'string' },
    });
    const file = requireString(parsed, 'model');
    const out = requireString(parsed, 'out');
    assertWritableDirectory('--out', out, ['robustness.json'], { '--model': file });
    const datasetPlugin = context.registry.dataset(requireString(parsed, 'dataset'));
    const options = {
      epsilons: numberListFlag(parsed, 'eps', defaultRobustnessOptions.epsilons),
      noiseStds: numberListFlag(parsed, 'noise', defaultRobustnessOptions.noiseStds),
      pgdSteps: integerFlag(parsed, 'pgd-steps', 10, 1) as number,
      attackLimit: integerFlag(parsed, 'attack-limit', undefined, 1),
      seed: integerFlag(parsed, 'seed', 0) as number,
    };
    const testLimit = integerFlag(parsed, 'test-limit', undefined, 1);
    // One writer per output directory (see withDirectoryLock).
    await withDirectoryLock(out, 'weightspace robustness', async () => {
      await chooseBackend(parsed, context, { command: 'robustness' });
      const model = loadModel(file, context.registry, optionalString(parsed, 'arch'));
      const data = await datasetPlugin.load({ trainLimit: 1, testLimit });
      assertInputsFit(model.plugin, model.config, data, file);
      const report = robustness(model.plugin, model.config, model.params, data.test, {
        ...options,
        progress: progressBar(),
      });
      disposeParams(model.params);
      writeJsonAtomic(join(out, 'robustness.json'), { model: file, dataset: data.id, options, ...report });
      const pct = (v: number) => (v * 100).toFixed(2);
      context.print(
        table(
          ['measure', 'value'],
          [
            ['clean accuracy (%)', pct(report.clean.accuracy)],
            ...Object.entries(report.fgsm).map(([e, v]) => [`FGSM ε=${e} (%)`, pct(v)]),
            ...Object.entries(report.pgd).map(([e, v]) => [`PGD-${options.pgdSteps} ε=${e} (%)`, pct(v)]),
            ...Object.entries(report.noise).map(([s, v]) => [`Gaussian σ=${s} (%)`, pct(v)]),
            ['weight L2 norm', report.weightL2.toFixed(3)],
            ['Lipschitz upper bound', report.lipschitzUpperBound.toExponential(3)],
          ],
        ),
      );
      context.print(`wrote ${join(out, 'robustness.json')} (${report.attackedSamples} samples attacked)`);
    });
  },
};
