import {
  barrierCurve,
  disposeParams,
  EvaluationBatches,
  lewc,
  linePlotSvg,
  writeFileAtomic,
  withDirectoryLock,
} from '@weightspace/core';
import { join } from 'node:path';
import { integerFlag, numberListFlag, parse } from '../args';
import type { FlagTable } from '../flags';
import { writeResult } from '../results/result-files';
import { chooseBackend, type Command, printResult } from '../command';
import { table } from '../curves';
import { loadPairWithData, pairFlags, pairInputs, pairRecord } from '../pair-data';
import { progressBar } from '../progress-bar';

const flags: FlagTable = {
  ...pairFlags,
  lambdas: { type: 'string', value: 'LIST', description: 'interpolation weights λ of the LEWC cosine', default: '0.5' },
  points: { type: 'string', value: 'N', description: 'points on the calibrated curve (2–1001)', default: '25' },
  'calibration-limit': {
    type: 'string',
    value: 'N',
    description: 'training samples the temperature is fitted on',
    default: '5000',
  },
};

export const lewcCommand: Command = {
  name: 'lewc',
  summary:
    'LEWC of A and B without alignment: temperature-calibrated barriers, per-layer LEWC cosine, reciprocal orthogonality',
  flags,
  details: 'writes lewc.json and lewc.svg into --out',
  async run(argv, context) {
    const parsed = parse(argv, flags);
    const { files, out, dataset } = pairInputs(parsed, context, ['lewc.json', 'lewc.svg']);
    const lambdas = numberListFlag(parsed, 'lambdas', [0.5]);
    const points = integerFlag(parsed, 'points', 25, 2, 1001) as number;
    const calibrationLimit = integerFlag(parsed, 'calibration-limit', 5000, 1) as number;
    const testLimit = integerFlag(parsed, 'test-limit', undefined, 1);
    // One writer per output directory (see withDirectoryLock).
    await withDirectoryLock(out, 'weightspace lewc', async () => {
      await chooseBackend(parsed, context, { command: 'lewc' });
      const {
        a,
        b,
        data,
        batches: test,
      } = await loadPairWithData(context, files, dataset, {
        testLimit,
        trainLimit: calibrationLimit,
      });
      const calibration = EvaluationBatches.forModel(data.train, a.plugin, a.config);
      try {
        const curve = barrierCurve(a.plugin, a.config, a.params, b.params, test, {
          points,
          calibration,
          progress: progressBar(),
          task: 'calibrated lerp',
        });
        const report = lewc(a.plugin, a.config, a.params, b.params, test, { lambdas, progress: progressBar() });
        const result = writeResult(join(out, 'lewc.json'), 'lewc', {
          ...pairRecord(files, { a, data }),
          calibrationSamples: data.train.count,
          curve,
          ...report,
        });
        writeFileAtomic(join(out, 'lewc.svg'), lewcSvg(curve, report, `LEWC of ${files.a} and ${files.b}`));
        printResult(context, parsed, result, () => {
          const f = (v: number) => v.toFixed(4);
          context.print(
            table(
              ['layer', 'depth', ...lambdas.map((l) => `cos λ=${l}`)],
              report.layers.map((l) => [l.tap, l.depth, ...lambdas.map((lam) => f(l.cosine[String(lam)].mean))]),
            ),
          );
          context.print(
            table(
              ['dense layer', '‖W_B z_A‖/‖W_A z_A‖', '‖W_A z_B‖/‖W_B z_B‖'],
              report.orthogonality.map((o) => [o.weight, f(o.ratioBonA), f(o.ratioAonB)]),
            ),
          );
          const bar = curve.barriers;
          context.print(
            `loss barrier ${f(bar.loss)} raw, ${f(bar.calibratedLoss ?? NaN)} calibrated; accuracy barrier ${(bar.accuracy * 100).toFixed(2)} pts`,
          );
          context.print(`wrote ${join(out, 'lewc.json')} and ${join(out, 'lewc.svg')}`);
        });
      } finally {
        test.dispose();
        calibration.dispose();
        disposeParams(a.params);
        disposeParams(b.params);
      }
    });
  },
};

export function lewcSvg(
  curve: ReturnType<typeof barrierCurve>,
  report: ReturnType<typeof lewc>,
  title: string,
): string {
  const ts = curve.points.map((p) => p.t);
  const xs = report.layers.map((_, i) => i);
  const dense = report.orthogonality.map((_, i) => i);
  return linePlotSvg(
    [
      {
        title: 'test loss along A → B',
        xLabel: 't',
        yLabel: 'cross-entropy',
        series: [
          { name: 'raw', xs: ts, ys: curve.points.map((p) => p.loss) },
          { name: 'temperature-calibrated', xs: ts, ys: curve.points.map((p) => p.calibratedLoss ?? NaN) },
        ],
      },
      {
        title: 'LEWC cosine per layer',
        xLabel: 'layer',
        categories: report.layers.map((l) => l.tap),
        yLabel: 'cos',
        series: report.lambdas.map((l) => ({
          name: `λ = ${l}`,
          xs,
          ys: report.layers.map((layer) => layer.cosine[String(l)].mean),
        })),
      },
      {
        title: 'reciprocal orthogonality',
        xLabel: 'dense layer',
        yLabel: 'ratio',
        categories: report.orthogonality.map((o) => o.weight.replace(/\.weight$/, '')),
        series: [
          {
            name: '‖W_B z_A‖/‖W_A z_A‖',
            xs: dense,
            ys: report.orthogonality.map((o) => o.ratioBonA),
          },
          {
            name: '‖W_A z_B‖/‖W_B z_B‖',
            xs: dense,
            ys: report.orthogonality.map((o) => o.ratioAonB),
          },
        ],
      },
    ],
    title,
  );
}
