import { linePlotSvg, ticks } from './svg-line-plot';

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
    expect(svg.match(/<path /g)?.length).toBe(4);
    expect(svg).toContain('aligned &lt;wm&gt;');
    expect(svg).not.toContain('NaN');
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
});
