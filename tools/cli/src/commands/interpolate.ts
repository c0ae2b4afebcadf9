import { barrierCurve, disposeParams, evaluate, writeFileAtomic, writeJsonAtomic } from '@weightspace/core';
import { join } from 'node:path';
import { integerFlag, parse } from '../args';
import { loadPairWithData, pairFlags, pairInputs } from '../pair-data';
import { chooseBackend, Command } from '../command';
import { curvesSvg, table } from '../curves';
import { progressBar } from '../progress-bar';

export const interpolateCommand: Command = {
  name: 'interpolate',
  summary: 'loss and accuracy along the line from A to B; the loss and accuracy barriers',
  usage: 'weightspace interpolate --a A.safetensors --b B.safetensors --dataset ID --out DIR [--arch ID] [--points 25] [--test-limit N] [--backend ID]',
  async run(argv, context) {
    const parsed = parse(argv, { ...pairFlags, points: { type: 'string' }, 'test-limit': { type: 'string' } });
    const { files, out, dataset } = pairInputs(parsed, context);
    const [fileA, fileB] = [files.a, files.b];
    const points = integerFlag(parsed, 'points', 25, 2, 1001) as number;
    const testLimit = integerFlag(parsed, 'test-limit', undefined, 1);
    await chooseBackend(parsed, context);
    const { a, b, data, test: batches } = await loadPairWithData(context, files, dataset, { testLimit });
    try {
      const curve = barrierCurve(a.plugin, a.config, a.params, b.params, batches, { points, progress: progressBar() });
      const endpoints = { a: evaluate(a.plugin, a.config, a.params, batches), b: evaluate(a.plugin, a.config, b.params, batches) };
      writeJsonAtomic(join(out, 'curve.json'), { arch: a.plugin.id, a: fileA, b: fileB, dataset: data.id, testSamples: data.test.count, endpoints, ...curve });
      writeFileAtomic(join(out, 'curve.svg'), curvesSvg({ 'A → B': curve }, `${a.plugin.id} on ${data.id}`));
      context.print(
        table(
          ['t', 'test loss', 'test acc (%)'],
          curve.points.map((p) => [p.t.toFixed(3), p.loss.toFixed(4), (p.accuracy * 100).toFixed(2)]),
        ),
      );
      context.print(`loss barrier ${curve.barriers.loss.toFixed(4)}, accuracy barrier ${(curve.barriers.accuracy * 100).toFixed(2)} pts`);
      context.print(`wrote ${join(out, 'curve.json')} and ${join(out, 'curve.svg')}`);
    } finally {
      batches.dispose();
      disposeParams(a.params);
      disposeParams(b.params);
    }
  },
};
