import { defaultRobustnessOptions, disposeParams, robustness, withDirectoryLock } from '@weightspace/core';
import { join } from 'node:path';
import { integerFlag, numberListFlag, optionalString, parse, requireString } from '../args';
import { loadModel } from '../checkpoint';
import { checkpointNames } from '../checkpoint-names';
import { chooseBackend, type Command, printResult } from '../command';
import { table } from '../curves';
import { assertInputsFit } from '../inputs-fit';
import { progressBar } from '../progress-bar';
import { assertWritableDirectory } from '../output-path';
import { checkpointNameFlags, type FlagTable, jsonFlags } from '../flags';
import { writeResult } from '../results/result-files';

const flags: FlagTable = {
  model: { type: 'string', value: 'FILE', description: 'the checkpoint to attack', required: true },
  dataset: { type: 'string', value: 'ID', description: 'dataset whose test split is attacked', required: true },
  out: { type: 'string', value: 'DIR', description: 'where robustness.json goes', required: true },
  arch: { type: 'string', value: 'ID', description: 'architecture of the model', default: 'the one it records' },
  eps: { type: 'string', value: 'LIST', description: 'L∞ radii of the FGSM and PGD attacks', default: '0.05,0.1' },
  noise: {
    type: 'string',
    value: 'LIST',
    description: 'standard deviations of the Gaussian input noise',
    default: '0.1,0.3',
  },
  'pgd-steps': { type: 'string', value: 'N', description: 'steps of each PGD attack', default: '10' },
  'test-limit': {
    type: 'string',
    value: 'N',
    description: 'evaluate on the first N test samples only',
    default: 'all',
  },
  'attack-limit': { type: 'string', value: 'N', description: 'attack the first N of those only', default: 'all' },
  seed: { type: 'string', value: 'N', description: 'seed of the noise and the PGD starts', default: '0' },
  ...checkpointNameFlags,
  ...jsonFlags,
};

export const robustnessCommand: Command = {
  name: 'robustness',
  summary: 'clean, FGSM, PGD and noisy accuracy, weight norm and Lipschitz bound of a checkpoint',
  flags,
  details: 'writes robustness.json into --out',
  async run(argv, context) {
    const parsed = parse(argv, flags);
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
      const model = loadModel(file, context.registry, optionalString(parsed, 'arch'), checkpointNames(parsed));
      const data = await datasetPlugin.load({ trainLimit: 1, testLimit });
      assertInputsFit(model.plugin, model.config, data, file);
      const report = robustness(model.plugin, model.config, model.params, data.test, {
        ...options,
        progress: progressBar(),
      });
      disposeParams(model.params);
      const result = writeResult(join(out, 'robustness.json'), 'robustness', {
        model: file,
        dataset: data.id,
        options,
        ...report,
      });
      printResult(context, parsed, result, () => {
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
    });
  },
};
