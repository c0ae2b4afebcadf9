/**
 * Line plots as standalone SVG text: no browser, no dependency. Panels wrap into rows of at most
 * `columns`, each with axes, ticks, a title; one legend below. A series keeps its colour, marker
 * and dash pattern across panels, and no two series differ by colour alone: colours come from
 * the Okabe–Ito palette (told apart under the common colour-vision deficiencies), and each series
 * also has its own marker shape and dash pattern.
 */
export interface Series {
  name: string;
  /** x values; on a categorical panel, indices into its `categories`. */
  xs: readonly number[];
  ys: readonly number[];
  /** ± error per point (a standard deviation over seeds), drawn as a whisker with caps. */
  errors?: readonly number[];
  /** Dashed line, e.g. for a reference; otherwise the series' own pattern. */
  dashed?: boolean;
  /** Markers only, no line between the points: for points on a categorical axis whose order means nothing. */
  markersOnly?: boolean;
}

/** One panel of a line plot: title, axis labels, series, and optionally a categorical x axis. */
export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** A categorical x axis: one tick per category, labelled, in this order (xs index into it). */
  categories?: readonly string[];
}

/** Layout of a line plot: how many panels share a row. */
export interface PlotOptions {
  /** Panels per row at most (default: up to three; four panels as two rows of two). */
  columns?: number;
}

/** Okabe & Ito's palette, its yellow last (faint on white). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'triangle-down', 'plus', 'star'] as const;
const DASHES = ['', '7,3', '2,3', '9,3,2,3', '4,4', '12,4', '1,2', '6,2,2,2'];
const W = 420;
const H = 300;
/** Approximate width of a character at the 12 px font, for layout. */
const CHAR_WIDTH = 6.5;
const M = { left: 62, right: 16, top: 34, bottom: 46 };

interface Style {
  colour: string;
  marker: (typeof MARKERS)[number];
  dash: string;
}

/**
 * Line plots as SVG text: panels wrapped into rows, a shared legend, series told apart by colour,
 * marker and dash.
 *
 * @param panels the panels, each with its series
 * @param title a heading above them
 * @param options layout: panels per row (default 3)
 * @returns a standalone SVG document
 * @example
 * ```ts
 * import { linePlotSvg } from '@weightspace/core';
 * import { writeFileSync } from 'node:fs';
 * const ts = [0, 0.25, 0.5, 0.75, 1];
 * const svg = linePlotSvg([
 *   {
 *     title: 'test loss', xLabel: 't', yLabel: 'loss',
 *     series: [
 *       { name: 'naive', xs: ts, ys: [0.1, 0.8, 1.2, 0.7, 0.1] },
 *       { name: 'aligned', xs: ts, ys: [0.1, 0.12, 0.13, 0.11, 0.1], errors: [0, 0.01, 0.02, 0.01, 0] },
 *     ],
 *   },
 * ], 'A → B');
 * writeFileSync('/tmp/curve.svg', svg);
 * ```
 */
export function linePlotSvg(panels: readonly Panel[], title?: string, options: PlotOptions = {}): string {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const dashedByName = new Map(panels.flatMap((p) => p.series.map((s) => [s.name, s.dashed ?? false] as const)));
  const markersOnly = new Set(panels.flatMap((p) => p.series.filter((s) => s.markersOnly).map((s) => s.name)));
  const style = (name: string): Style => {
    // Past the eighth series, colours repeat with markers and dashes shifted by one and two per
    // round, so no two series of a plot share all three.
    const k = names.indexOf(name);
    const round = Math.floor(k / PALETTE.length);
    return {
      colour: PALETTE[k % PALETTE.length],
      marker: MARKERS[(k + round) % MARKERS.length],
      dash: dashedByName.get(name) ? '5,4' : DASHES[(k + 2 * round) % DASHES.length],
    };
  };
  const columns = Math.max(1, Math.min(options.columns ?? defaultColumns(panels.length), panels.length));
  const rows = Math.ceil(panels.length / columns);
  const top = title ? 28 : 0;
  // Category labels too long for their spacing are drawn at a slant; a row grows to fit its own.
  const slants = Array.from({ length: rows }, (_, r) =>
    Math.max(0, ...panels.slice(r * columns, (r + 1) * columns).map(slantedDepth)),
  );
  const rowTop = (r: number) => top + r * H + slants.slice(0, r).reduce((a, b) => a + b, 0);
  const panelsHeight = rowTop(rows) - top;
  const width = W * columns;
  const longest = Math.max(0, ...names.map((n) => n.length));
  const legendColumns = Math.max(1, Math.min(4, Math.floor(width / (7 * longest + 60))));
  const legendHeight = 20 * Math.ceil(names.length / legendColumns) + 8;
  const height = top + panelsHeight + legendHeight;
  const body = panels
    .map((panel, i) => {
      const row = Math.floor(i / columns);
      return panelSvg(panel, (i % columns) * W, rowTop(row), slants[row], style);
    })
    .join('\n');
  const legend = names
    .map((name, i) => {
      const x = 20 + (i % legendColumns) * (width / legendColumns);
      const y = top + panelsHeight + 16 + 20 * Math.floor(i / legendColumns);
      const s = style(name);
      const sample = markersOnly.has(name) ? '' : line(x, y, x + 30, y, s);
      return `${sample}${marker(x + 15, y, s)}<text x="${x + 38}" y="${y + 4}">${escapeXml(name)}</text>`;
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

function panelSvg(
  panel: Panel,
  offsetX: number,
  offsetY: number,
  slant: number,
  style: (name: string) => Style,
): string {
  const categorical = panel.categories !== undefined;
  const xs = panel.series.flatMap((s) => s.xs).filter(Number.isFinite);
  const ys = panel.series.flatMap((s) =>
    s.ys.flatMap((y, i) => (s.errors?.[i] !== undefined ? [y - s.errors[i], y + s.errors[i]] : [y])),
  );
  const [x0, x1] = categorical
    ? [-0.5, Math.max(0.5, (panel.categories as readonly string[]).length - 0.5)]
    : paddedRange(xs, 0);
  const [y0, y1] = paddedRange(ys.filter(Number.isFinite), 0.05);
  // Slanted category labels run left of their ticks: the plot area moves right so the first fits.
  const left = M.left + slantedOverhang(panel);
  const pw = W - left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => offsetX + left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => offsetY + M.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(
    `<text x="${offsetX + left + pw / 2}" y="${offsetY + 20}" text-anchor="middle" font-size="13">${escapeXml(panel.title)}</text>`,
  );
  parts.push(
    `<rect x="${offsetX + left}" y="${offsetY + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  const xTicks = categorical
    ? (panel.categories as readonly string[]).map((label, k) => ({ at: k, label }))
    : ticks(x0, x1).map((t) => ({ at: t, label: formatTick(t) }));
  const slanted = slantedDepth(panel) > 0;
  for (const { at, label } of xTicks) {
    parts.push(
      `<line x1="${sx(at)}" y1="${offsetY + M.top + ph}" x2="${sx(at)}" y2="${offsetY + M.top + ph + 4}" stroke="#333"/>`,
    );
    const y = offsetY + M.top + ph + 17;
    parts.push(
      slanted
        ? `<text x="${sx(at)}" y="${y}" text-anchor="end" transform="rotate(-35 ${sx(at)} ${y})">${escapeXml(label)}</text>`
        : `<text x="${sx(at)}" y="${y}" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  }
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${offsetX + left}" y1="${sy(t)}" x2="${offsetX + left + pw}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${offsetX + left - 6}" y="${sy(t) + 4}" text-anchor="end">${formatTick(t)}</text>`);
  }
  parts.push(
    `<text x="${offsetX + left + pw / 2}" y="${offsetY + H + slant - 8}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(${offsetX + 16},${offsetY + M.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  );
  for (const s of panel.series) {
    const st = style(s.name);
    const pts = s.xs
      .map((x, i) => ({ x, y: s.ys[i], e: s.errors?.[i] }))
      .filter(({ x, y }) => Number.isFinite(x) && Number.isFinite(y));
    const d = pts.map(({ x, y }, i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    if (pts.length > 1 && !s.markersOnly)
      parts.push(
        `<path d="${d}" fill="none" stroke="${st.colour}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`,
      );
    for (const { x, y, e } of pts) {
      if (e !== undefined && Number.isFinite(e) && e > 0) parts.push(whisker(sx(x), sy(y - e), sy(y + e), st.colour));
      parts.push(marker(sx(x), sy(y), st));
    }
  }
  return parts.join('\n');
}

/** Panels per row: all of them up to three; four as two rows of two; more, three to a row. */
function defaultColumns(panels: number): number {
  return panels === 4 ? 2 : 3;
}

/** Extra height the slanted category labels of a panel need (0 when they fit upright). */
function slantedDepth(panel: Panel): number {
  const categories = panel.categories ?? [];
  if (categories.length === 0) return 0;
  const spacing = (W - M.left - M.right) / categories.length;
  const longest = Math.max(...categories.map((c) => c.length)) * CHAR_WIDTH;
  return longest + 8 <= spacing ? 0 : Math.ceil(longest * Math.sin((35 * Math.PI) / 180));
}

/**
 * How far slanted category labels reach left of the panel's usual plot area (0 when the labels
 * are upright or fit): the width the area gives up so no label is cut off.
 */
function slantedOverhang(panel: Panel): number {
  const categories = panel.categories ?? [];
  if (slantedDepth(panel) === 0) return 0;
  // Tick k sits at left + (2k + 1)·(W − left − M.right)/(2n); its label reaches its length·cos 35°
  // left of it, and must stay 4 px inside the panel: the least `left` that fits every label.
  const left = categories.map((label, k) => {
    const share = (2 * k + 1) / (2 * categories.length);
    const reach = label.length * CHAR_WIDTH * Math.cos((35 * Math.PI) / 180);
    return (reach + 4 - (W - M.right) * share) / (1 - share);
  });
  return Math.max(0, Math.ceil(Math.max(...left) - M.left));
}

function line(x1: number, y1: number, x2: number, y2: number, s: Style): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${s.colour}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`;
}

/** A vertical error bar from y1 to y2 with caps. */
function whisker(x: number, y1: number, y2: number, colour: string): string {
  const f = (v: number) => v.toFixed(1);
  return `<path d="M${f(x)},${f(y1)} L${f(x)},${f(y2)} M${f(x - 4)},${f(y1)} L${f(x + 4)},${f(y1)} M${f(x - 4)},${f(y2)} L${f(x + 4)},${f(y2)}" stroke="${colour}" stroke-width="1.2" fill="none"/>`;
}

/** The series' marker shape centred on (x, y). */
function marker(x: number, y: number, s: Style): string {
  const r = 3.6;
  const f = (v: number) => v.toFixed(1);
  const polygon = (points: Array<[number, number]>) =>
    `<polygon points="${points.map(([px, py]) => `${f(x + px)},${f(y + py)}`).join(' ')}" fill="${s.colour}"/>`;
  switch (s.marker) {
    case 'circle':
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${r}" fill="${s.colour}"/>`;
    case 'square':
      return `<rect x="${f(x - r)}" y="${f(y - r)}" width="${2 * r}" height="${2 * r}" fill="${s.colour}"/>`;
    case 'triangle':
      return polygon([
        [0, -r * 1.2],
        [r * 1.1, r * 0.8],
        [-r * 1.1, r * 0.8],
      ]);
    case 'triangle-down':
      return polygon([
        [0, r * 1.2],
        [r * 1.1, -r * 0.8],
        [-r * 1.1, -r * 0.8],
      ]);
    case 'diamond':
      return polygon([
        [0, -r * 1.3],
        [r * 1.1, 0],
        [0, r * 1.3],
        [-r * 1.1, 0],
      ]);
    case 'star':
      return polygon(
        Array.from({ length: 10 }, (_, k): [number, number] => {
          const radius = k % 2 ? r * 0.6 : r * 1.4;
          const angle = (Math.PI * k) / 5 - Math.PI / 2;
          return [radius * Math.cos(angle), radius * Math.sin(angle)];
        }),
      );
    case 'cross':
    case 'plus': {
      const [a, b] = s.marker === 'cross' ? [r, r] : [r * 1.3, 0];
      const [c, d] = s.marker === 'cross' ? [r, -r] : [0, r * 1.3];
      return `<path d="M${f(x - a)},${f(y - b)} L${f(x + a)},${f(y + b)} M${f(x - c)},${f(y - d)} L${f(x + c)},${f(y + d)}" stroke="${s.colour}" stroke-width="2.2"/>`;
    }
  }
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

/** Mean and (population) standard deviation of a non-empty list, for error bars over seeds. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, std };
}
