import { characterDataset, mobyDickDataset } from './moby-dick';

describe('character datasets', () => {
  it('cut a text into windows whose labels are the next characters, train text before test text', () => {
    const data = characterDataset('tiny', 'abcabcabcabcabcabcabcab', { context: 4, trainFraction: 0.5 });
    expect(data.classes).toBe(3);
    expect(data.inputShape).toEqual([4]);
    // Train text 'abcabcabcab' (11 characters): 2 windows of 4 with a next character each.
    expect(data.train.count).toBe(2);
    expect(Array.from(data.train.x.subarray(0, 4))).toEqual([0, 1, 2, 0]);
    expect(Array.from(data.train.y.subarray(0, 4))).toEqual([1, 2, 0, 1]);
    expect(data.train.labelsPerSample).toBe(4);
    // The test text starts at character 11 ('c').
    expect(data.test.x[0]).toBe(2);
    expect(data.test.y[0]).toBe(0);
  });

  it('refuse a text too short for one window, naming the dataset', () => {
    expect(() => characterDataset('short', 'abc', { context: 8, trainFraction: 0.9 })).toThrow(
      'short: the text holds no window of 8 characters',
    );
  });

  it('load Moby-Dick with its documented split and vocabulary', async () => {
    const data = await mobyDickDataset.load({ testLimit: 100 });
    expect(data.classes).toBe(83);
    expect(data.train.count).toBe(16738);
    expect(data.test.count).toBe(100);
    expect(data.train.y.length).toBe(16738 * 64);
    // Every label is the next window position's input.
    for (let k = 0; k < 63; k++) expect(data.train.y[k]).toBe(data.train.x[k + 1]);
  });
});
