import { type BarrierCurve, linePlotSvg } from '@weightspace/core';

/** Loss and accuracy along each named curve, side by side. */
export function curvesSvg(curves: Record<string, BarrierCurve>, title: string): string {
  const label = (name: string, c: BarrierCurve) =>
    `${name}: loss barrier ${c.barriers.loss.toFixed(3)}, accuracy barrier ${(c.barriers.accuracy * 100).toFixed(2)} pts`;
  const series = (metric: 'loss' | 'accuracy') =>
    Object.entries(curves).map(([name, curve]) => ({
      name: label(name, curve),
      xs: curve.points.map((p) => p.t),
      ys: curve.points.map((p) => (metric === 'loss' ? p.loss : p.accuracy * 100)),
    }));
  return linePlotSvg(
    [
      { title: 'test loss', xLabel: 'interpolation t (A → B)', yLabel: 'cross-entropy', series: series('loss') },
      { title: 'test accuracy', xLabel: 'interpolation t (A → B)', yLabel: 'accuracy (%)', series: series('accuracy') },
    ],
    title,
  );
}

/** A fixed-width text table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A Markdown table: the header, its separator line, one line per row. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
