import {
  barrierCurve,
  barrierCurveInThreads,
  defaultThreads,
  disposeParams,
  evaluate,
  EvaluationBatches,
  writeFileAtomic,
  withDirectoryLock,
} from '@weightspace/core';
import { type Correction, CORRECTIONS, corrector } from '../corrections';
import { join } from 'node:path';
import { choiceFlag, integerFlag, parse } from '../args';
import type { FlagTable } from '../flags';
import { UsageError } from '../usage-error';
import {
  EVALUATED_SPLITS,
  type EvaluatedSplit,
  loadPairWithData,
  pairFlags,
  pairInputs,
  pairRecord,
} from '../pair-data';
import { chooseBackend, type Command, printResult } from '../command';
import { curvesSvg, table } from '../curves';
import { progressBar } from '../progress-bar';
import { registrySource } from '../modules';
import { writeResult } from '../results/result-files';

const flags: FlagTable = {
  ...pairFlags,
  dataset: { ...pairFlags.dataset, description: 'dataset whose test split (or training split: --split) is evaluated' },
  points: {
    type: 'string',
    value: 'N',
    description: 'points on the line, both endpoints included (2–1001)',
    default: '25',
  },
  correct: {
    type: 'string',
    value: 'plain|bn-reset|repair',
    description: 'correct each interpolated model: reset BatchNorm statistics or REPAIR',
    default: 'plain',
  },
  'stat-samples': {
    type: 'string',
    value: 'N',
    description: 'training samples for the corrections’ statistics (with --split train: the evaluated ones)',
    default: '5000',
  },
  threads: {
    type: 'string',
    value: 'N',
    description: 'worker threads a plain curve is split over',
    default: 'the cores',
  },
  split: {
    type: 'string',
    value: 'test|train',
    description:
      'the split the curve is measured on (train: the loss barrier on the training data, as a fit rather than generalisation)',
    default: 'test',
  },
  'train-limit': {
    type: 'string',
    value: 'N',
    description: 'with --split train: evaluate on the first N training samples only',
    default: 'all',
  },
};

export const interpolateCommand: Command = {
  name: 'interpolate',
  summary: 'loss and accuracy along the line from A to B; the loss and accuracy barriers',
  flags,
  details: 'writes curve.json (the points, endpoints and barriers) and curve.svg into --out',
  async run(argv, context) {
    const parsed = parse(argv, flags);
    const { files, out, dataset } = pairInputs(parsed, context, ['curve.json', 'curve.svg']);
    const points = integerFlag(parsed, 'points', 25, 2, 1001) as number;
    const testLimit = integerFlag(parsed, 'test-limit', undefined, 1);
    const correction = choiceFlag<Correction>(parsed, 'correct', CORRECTIONS, 'plain');
    const statSamples = integerFlag(parsed, 'stat-samples', 5000, 1) as number;
    const threads = integerFlag(parsed, 'threads', defaultThreads(), 1, 64) as number;
    const split = choiceFlag<EvaluatedSplit>(parsed, 'split', EVALUATED_SPLITS, 'test');
    const trainLimit = integerFlag(parsed, 'train-limit', undefined, 1);
    if (split === 'test' && trainLimit !== undefined)
      throw new UsageError('--train-limit bounds the evaluated training samples: it needs --split train');
    if (split === 'train' && testLimit !== undefined)
      throw new UsageError('--test-limit bounds the test split; with --split train use --train-limit');
    // One writer per output directory (see withDirectoryLock).
    await withDirectoryLock(out, 'weightspace interpolate', async () => {
      const backend = await chooseBackend(parsed, context, { command: 'interpolate' });
      const { a, b, data, evaluated, batches } = await loadPairWithData(context, files, dataset, {
        split,
        testLimit,
        // On the training split, the corrections' statistics come from the evaluated samples.
        trainLimit: split === 'train' ? trainLimit : correction === 'plain' ? 1 : statSamples,
      });
      const stats = correction === 'plain' ? undefined : EvaluationBatches.forModel(data.train, a.plugin, a.config);
      try {
        const correct = stats && corrector(correction, a.plugin, a.config, a.params, b.params, stats);
        // Plain curves are split over worker threads; corrected ones need the statistics here.
        const curve = correct
          ? barrierCurve(a.plugin, a.config, a.params, b.params, batches, { points, progress: progressBar(), correct })
          : await barrierCurveInThreads(a.plugin, a.config, a.params, b.params, evaluated, {
              registry: registrySource,
              backend,
              points,
              progress: progressBar(),
              threads,
            });
        const endpoints = {
          a: evaluate(a.plugin, a.config, a.params, batches),
          b: evaluate(a.plugin, a.config, b.params, batches),
        };
        const result = writeResult(join(out, 'curve.json'), 'curve', {
          ...pairRecord(files, { a, data }),
          ...(split === 'train' ? { split, trainSamples: evaluated.count } : { testSamples: evaluated.count }),
          correction,
          endpoints,
          ...curve,
        });
        const title = `${a.plugin.id} on ${data.id}${split === 'train' ? ', training split' : ''}`;
        writeFileAtomic(join(out, 'curve.svg'), curvesSvg({ 'A → B': curve }, title));
        printResult(context, parsed, result, () => {
          context.print(
            table(
              ['t', `${split} loss`, `${split} acc (%)`],
              curve.points.map((p) => [p.t.toFixed(3), p.loss.toFixed(4), (p.accuracy * 100).toFixed(2)]),
            ),
          );
          context.print(
            `loss barrier ${curve.barriers.loss.toFixed(4)}, accuracy barrier ${(curve.barriers.accuracy * 100).toFixed(2)} pts`,
          );
          context.print(`wrote ${join(out, 'curve.json')} and ${join(out, 'curve.svg')}`);
        });
      } finally {
        stats?.dispose();
        batches.dispose();
        disposeParams(a.params);
        disposeParams(b.params);
      }
    });
  },
};
