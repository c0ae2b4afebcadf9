import { linePlotSvg, meanStd, PALETTE, ticks } from './svg-line-plot';

const attributes = (svg: string, element: string, attribute: string): string[] =>
  [...svg.matchAll(new RegExp(`<${element} [^>]*${attribute}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('linePlotSvg', () => {
  it('draws one path per series in every panel, with a legend entry per name', () => {
    const series = [
      { name: 'naive', xs: [0, 0.5, 1], ys: [0.1, 1.3, 0.1] },
      { name: 'aligned <wm>', xs: [0, 0.5, 1], ys: [0.1, 0.12, 0.1] },
    ];
    const svg = linePlotSvg(
      [
        { title: 'loss', xLabel: 't', yLabel: 'loss', series },
        { title: 'accuracy', xLabel: 't', yLabel: 'acc', series },
      ],
      'MNIST',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path d="M[^"]*" fill="none" stroke="#/g)?.length).toBe(4);
    expect(svg).toContain('aligned &lt;wm&gt;');
    expect(svg).not.toContain('NaN');
  });

  it('gives more than eight series a style each: a colour again, but with another dash', () => {
    const names = Array.from({ length: 12 }, (_, k) => `s${k}`);
    const svg = linePlotSvg([
      { title: 'p', xLabel: 'x', yLabel: 'y', series: names.map((name, k) => ({ name, xs: [0, 1], ys: [k, k] })) },
    ]);
    const lines = [
      ...svg.matchAll(/<path d="M[^"]*" fill="none" stroke="([^"]*)"[^>]*?(?: stroke-dasharray="([^"]*)")?\/>/g),
    ];
    expect(lines).toHaveLength(12);
    expect(new Set(lines.map((m) => `${m[1]} ${m[2] ?? 'solid'}`)).size).toBe(12);
  });

  it('tells every series apart by marker and dash pattern as well as colour, in a colour-blind-safe palette', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const svg = linePlotSvg([
      {
        title: 'p',
        xLabel: 'x',
        yLabel: 'y',
        series: names.map((name, k) => ({ name, xs: [0, 1], ys: [k, k + 1] })),
      },
    ]);
    const lines = [
      ...svg.matchAll(/<path d="M[^"]*" fill="none" stroke="([^"]*)"[^>]*?(?: stroke-dasharray="([^"]*)")?\/>/g),
    ];
    expect(lines).toHaveLength(names.length);
    const colours = lines.map((m) => m[1]);
    const dashes = lines.map((m) => m[2] ?? 'solid');
    expect(new Set(colours).size).toBe(names.length);
    expect(new Set(dashes).size).toBe(names.length);
    for (const c of colours) expect(PALETTE).toContain(c);
    // Six marker shapes: circle, rect, and polygons/paths of different outlines.
    const legend = svg.slice(svg.lastIndexOf('<line'));
    expect(legend).toBeTruthy();
    const shapes = ['<circle', '<rect x=', '<polygon', '<path d="M'].filter((s) => svg.includes(s));
    expect(shapes.length).toBeGreaterThanOrEqual(4);
  });

  it('labels a categorical axis with its categories, evenly spaced', () => {
    const svg = linePlotSvg([
      {
        title: 'barrier per pair',
        xLabel: 'seed pair',
        yLabel: 'loss',
        categories: ['0–1', '2–3', '4–5'],
        series: [{ name: 's', xs: [0, 1, 2], ys: [1, 2, 3] }],
      },
    ]);
    // The x tick labels sit just below the plot area (34 + 220 + 17 px from the top).
    const xLabels = [...svg.matchAll(/y="271" text-anchor="middle">([^<]*)</g)].map((m) => m[1]);
    expect(xLabels).toEqual(['0–1', '2–3', '4–5']);
    const cx = attributes(svg, 'circle', 'cx').map(Number);
    expect(cx[1] - cx[0]).toBeCloseTo(cx[2] - cx[1], 6);
  });

  it('slants long category labels and moves the plot area right so none is cut off', () => {
    const categories = ['ResNet W-asym', 'ResNet W-asym (κ 1) + BN reset, weight-matched', 'σ-asym'];
    const svg = linePlotSvg([
      {
        title: 't',
        xLabel: 'network',
        yLabel: 'loss',
        categories,
        series: [{ name: 's', xs: [0, 1, 2], ys: [1, 2, 3] }],
      },
    ]);
    const slanted = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="end" transform="rotate\(-35/g)].map(
      (m) => Number(m[1]),
    );
    expect(slanted).toHaveLength(3);
    // A label of n characters reaches about 6.5·n·cos 35° left of its tick: each stays inside the figure.
    const reach = (label: string) => label.length * 6.5 * Math.cos((35 * Math.PI) / 180);
    categories.forEach((label, k) => expect(slanted[k] - reach(label)).toBeGreaterThanOrEqual(0));
    // The plot area (the frame) starts further right than the usual 62 px margin.
    expect(Number(attributes(svg, 'rect', 'x')[0])).toBeGreaterThan(62);
  });

  it('draws markers without a line for a markers-only series', () => {
    const svg = linePlotSvg([
      {
        title: 'per network',
        xLabel: 'network',
        yLabel: 'barrier',
        categories: ['a', 'b', 'c'],
        series: [{ name: 's', xs: [0, 1, 2], ys: [1, 0, 2], markersOnly: true }],
      },
    ]);
    expect(svg).not.toMatch(/<path d="M[^"]*" fill="none" stroke="#/);
    expect(svg.match(/<circle /g)).toHaveLength(4); // three points and the legend's marker
  });

  it('draws a whisker per point with an error, and fits the range to mean ± error', () => {
    const svg = linePlotSvg([
      {
        title: 'mean ± std',
        xLabel: 'width',
        yLabel: 'barrier',
        series: [{ name: 's', xs: [1, 2, 4], ys: [1, 1, 1], errors: [0.5, 0, 2] }],
      },
    ]);
    const whiskers = svg.match(/stroke-width="1.2"/g) ?? [];
    expect(whiskers).toHaveLength(2);
    const labels = [...svg.matchAll(/text-anchor="end">([-\d.]+)</g)].map((m) => Number(m[1]));
    expect(Math.min(...labels)).toBeLessThanOrEqual(-1);
    expect(Math.max(...labels)).toBeGreaterThanOrEqual(3);
  });

  it('wraps many panels into rows of at most three, four as two by two, or of `columns`', () => {
    const panel = { title: 'p', xLabel: 'x', yLabel: 'y', series: [{ name: 's', xs: [0, 1], ys: [0, 1] }] };
    const size = (svg: string) =>
      svg
        .match(/width="(\d+)" height="(\d+)"/)
        ?.slice(1)
        .map(Number) ?? [];
    const [w5, h5] = size(linePlotSvg(Array(5).fill(panel)));
    const [w1, h1] = size(linePlotSvg([panel]));
    expect(w5).toBe(3 * w1);
    expect(h5 - h1).toBe(300);
    expect(size(linePlotSvg(Array(4).fill(panel)))[0]).toBe(2 * w1);
    expect(size(linePlotSvg(Array(4).fill(panel), undefined, { columns: 4 }))[0]).toBe(4 * w1);
  });

  it('picks round ticks inside the range', () => {
    const unit = ticks(0, 1);
    expect(unit).toHaveLength(6);
    unit.forEach((v, i) => expect(v).toBeCloseTo(i * 0.2, 9));
    const t = ticks(0.93, 0.97);
    expect(t.length).toBeGreaterThanOrEqual(3);
    for (const v of t) {
      expect(v).toBeGreaterThanOrEqual(0.93 - 1e-12);
      expect(v).toBeLessThanOrEqual(0.97 + 1e-12);
    }
  });

  it('meanStd gives the mean and the population standard deviation', () => {
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
    expect(meanStd([3])).toEqual({ mean: 3, std: 0 });
  });
});
