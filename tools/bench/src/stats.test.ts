import { median, ratio, timeMedian } from './stats';

describe('bench statistics', () => {
  it('takes medians of odd and even lists', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('times a function the requested number of runs after one warm-up', () => {
    let calls = 0;
    const { times, ms } = timeMedian(() => calls++, 5);
    expect(calls).toBe(6);
    expect(times).toHaveLength(5);
    expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('reports no ratio without a reference', () => {
    expect(ratio(2, 4)).toBe(0.5);
    expect(ratio(2, undefined)).toBeNull();
  });
});
