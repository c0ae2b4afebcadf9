import { disposeParams, linePlotSvg, llfc, writeFileAtomic, withDirectoryLock } from '@weightspace/core';
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
  alphas: {
    type: 'string',
    value: 'LIST',
    description: 'interpolation weights α, comma-separated',
    default: '0.25,0.5,0.75',
  },
};

export const llfcCommand: Command = {
  name: 'llfc',
  summary: 'layerwise linear feature connectivity of A and B: per-layer Dis, scale, weak additivity, commutativity',
  flags,
  details: 'writes llfc.json and llfc.svg into --out',
  async run(argv, context) {
    const parsed = parse(argv, flags);
    const { files, out, dataset } = pairInputs(parsed, context, ['llfc.json', 'llfc.svg']);
    const alphas = numberListFlag(parsed, 'alphas', [0.25, 0.5, 0.75]);
    const testLimit = integerFlag(parsed, 'test-limit', undefined, 1);
    // One writer per output directory (see withDirectoryLock).
    await withDirectoryLock(out, 'weightspace llfc', async () => {
      await chooseBackend(parsed, context, { command: 'llfc' });
      const { a, b, data, batches: test } = await loadPairWithData(context, files, dataset, { testLimit });
      try {
        const report = llfc(a.plugin, a.config, a.params, b.params, test, { alphas, progress: progressBar() });
        const result = writeResult(join(out, 'llfc.json'), 'llfc', {
          ...pairRecord(files, { a, data }),
          ...report,
        });
        writeFileAtomic(join(out, 'llfc.svg'), llfcSvg(report, `LLFC of ${files.b} against ${files.a}`));
        printResult(context, parsed, result, () => {
          const f = (v: number) => v.toFixed(4);
          context.print(
            table(
              [
                'layer',
                'baseline 1-|cos(fA,fB)|',
                ...alphas.map((al) => `Dis α=${al}`),
                ...alphas.map((al) => `c α=${al}`),
              ],
              report.layers.map((l) => [
                l.tap,
                f(l.baseline.mean),
                ...alphas.map((al) => f(l.dis[String(al)].mean)),
                ...alphas.map((al) => f(l.scale[String(al)])),
              ]),
            ),
          );
          context.print(
            table(
              ['dense layer', 'dist_com', 'dist_W', 'dist_H'],
              report.commutativity.map((c) => [c.weight, f(c.distCom), f(c.distW), f(c.distH)]),
            ),
          );
          context.print(`wrote ${join(out, 'llfc.json')} and ${join(out, 'llfc.svg')}`);
        });
      } finally {
        test.dispose();
        disposeParams(a.params);
        disposeParams(b.params);
      }
    });
  },
};

/** Per-layer Dis at each α against the baseline, the scale c, and commutativity against the weight and feature distances. */
export function llfcSvg(report: ReturnType<typeof llfc>, title: string): string {
  // Layers and dense layers are categories, labelled by name.
  const xs = report.layers.map((_, i) => i);
  const taps = report.layers.map((l) => l.tap);
  const dense = report.commutativity.map((_, i) => i);
  const weights = report.commutativity.map((c) => c.weight.replace(/\.weight$/, ''));
  return linePlotSvg(
    [
      {
        title: 'E[Dis_α] per layer',
        xLabel: 'layer',
        categories: taps,
        yLabel: '1 − |cos|',
        series: [
          { name: 'baseline A vs B', xs, ys: report.layers.map((l) => l.baseline.mean), dashed: true },
          ...report.alphas.map((al) => ({
            name: `α = ${al}`,
            xs,
            ys: report.layers.map((l) => l.dis[String(al)].mean),
          })),
        ],
      },
      {
        title: 'scale c per layer',
        xLabel: 'layer',
        categories: taps,
        yLabel: 'c',
        series: report.alphas.map((al) => ({
          name: `α = ${al}`,
          xs,
          ys: report.layers.map((l) => l.scale[String(al)]),
        })),
      },
      {
        title: 'commutativity per dense layer',
        xLabel: 'dense layer',
        yLabel: 'normalised squared distance',
        categories: weights,
        series: [
          {
            name: 'dist_com',
            xs: dense,
            ys: report.commutativity.map((c) => c.distCom),
          },
          {
            name: 'dist_W',
            xs: dense,
            ys: report.commutativity.map((c) => c.distW),
            dashed: true,
          },
          {
            name: 'dist_H',
            xs: dense,
            ys: report.commutativity.map((c) => c.distH),
            dashed: true,
          },
        ],
      },
    ],
    title,
  );
}
