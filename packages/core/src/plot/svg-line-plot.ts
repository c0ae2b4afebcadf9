/**
 * Line plots as standalone SVG text: no browser, no dependency. One or more panels side by side,
 * each with axes, ticks, a title and a legend; series share colours across panels.
 */
export interface Series {
  name: string;
  xs: readonly number[];
  ys: readonly number[];
  /** Dashed line, e.g. for a reference. */
  dashed?: boolean;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const W = 420;
const H = 300;
const M = { left: 62, right: 16, top: 34, bottom: 46 };

export function linePlotSvg(panels: readonly Panel[], title?: string): string {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const colour = (name: string) => COLOURS[names.indexOf(name) % COLOURS.length];
  const top = title ? 28 : 0;
  const longest = Math.max(0, ...names.map((n) => n.length));
  const columns = Math.max(1, Math.min(3, Math.floor((W * panels.length) / (7 * longest + 50))));
  const legendHeight = 20 * Math.ceil(names.length / columns) + 8;
  const width = W * panels.length;
  const height = top + H + legendHeight;
  const body = panels.map((panel, i) => panelSvg(panel, i * W, top, colour)).join('\n');
  const legend = names
    .map((name, i) => {
      const x = 20 + (i % columns) * (width / columns);
      const y = top + H + 16 + 20 * Math.floor(i / columns);
      return `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${colour(name)}" stroke-width="2.5"/><text x="${x + 30}" y="${y + 4}">${escapeXml(name)}</text>`;
    })
    .join('\n');
  const heading = title
    ? `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${heading}
${body}
${legend}
</svg>
`;
}

function panelSvg(panel: Panel, offsetX: number, offsetY: number, colour: (name: string) => string): string {
  const xs = panel.series.flatMap((s) => s.xs).filter(Number.isFinite);
  const ys = panel.series.flatMap((s) => s.ys).filter(Number.isFinite);
  const [x0, x1] = paddedRange(xs, 0);
  const [y0, y1] = paddedRange(ys, 0.05);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => offsetX + M.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => offsetY + M.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(
    `<text x="${offsetX + M.left + pw / 2}" y="${offsetY + 20}" text-anchor="middle" font-size="13">${escapeXml(panel.title)}</text>`,
  );
  parts.push(
    `<rect x="${offsetX + M.left}" y="${offsetY + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  for (const t of ticks(x0, x1)) {
    parts.push(
      `<line x1="${sx(t)}" y1="${offsetY + M.top + ph}" x2="${sx(t)}" y2="${offsetY + M.top + ph + 4}" stroke="#333"/>`,
    );
    parts.push(`<text x="${sx(t)}" y="${offsetY + M.top + ph + 17}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    parts.push(
      `<line x1="${offsetX + M.left}" y1="${sy(t)}" x2="${offsetX + M.left + pw}" y2="${sy(t)}" stroke="#eee"/>`,
    );
    parts.push(`<text x="${offsetX + M.left - 6}" y="${sy(t) + 4}" text-anchor="end">${formatTick(t)}</text>`);
  }
  parts.push(
    `<text x="${offsetX + M.left + pw / 2}" y="${offsetY + H - 8}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(${offsetX + 16},${offsetY + M.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  );
  for (const s of panel.series) {
    const pts = s.xs.map((x, i) => [x, s.ys[i]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${colour(s.name)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`,
    );
    for (const [x, y] of pts)
      parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.2" fill="${colour(s.name)}"/>`);
  }
  return parts.join('\n');
}

function paddedRange(values: number[], pad: number): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  const span = hi - lo;
  return [lo - pad * span, hi + pad * span];
}

/** About five round tick values within [lo, hi]. */
export function ticks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step)
    out.push(Math.abs(t) < 1e-12 * step ? 0 : t);
  return out;
}

function formatTick(t: number): string {
  return Number.parseFloat(t.toPrecision(4)).toString();
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
