import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../random/rng';
import { gather, minibatches } from './batches';
import { FASHION_TEST_PER_CLASS, fashionMnistDataset } from './fashion-mnist';
import { readIdx } from './idx';
import { mnistDataset } from './mnist';
import { blobsDataset } from './synthetic';

describe('MNIST', () => {
  it('reads the 60k/10k IDX files with labels in 0..9 and pixels in [0,1]', async () => {
    const d = await mnistDataset.load();
    expect(d.train.count).toBe(60000);
    expect(d.test.count).toBe(10000);
    expect(d.train.x.length).toBe(60000 * 784);
    expect(Math.max(...d.test.y)).toBe(9);
    let max = 0;
    for (let i = 0; i < 784 * 100; i++) max = Math.max(max, d.test.x[i]);
    expect(max).toBeCloseTo(1, 5);
    // Every digit occurs in the test set.
    expect(new Set(d.test.y).size).toBe(10);
    // On shared memory, so worker threads train on the same array instead of a copy each.
    for (const a of [d.train.x, d.train.y, d.test.x, d.test.y])
      expect(Object.prototype.toString.call(a.buffer)).toBe('[object SharedArrayBuffer]');
  });

  it('keeps a prefix when limited', async () => {
    const full = await mnistDataset.load({ testLimit: 50 });
    expect(full.test.count).toBe(50);
    expect(full.test.y.length).toBe(50);
  });

  it('names the file when an IDX header lies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    const file = join(dir, 'bad-idx1-ubyte');
    const buf = Buffer.alloc(8 + 5);
    buf.writeUInt32BE(0x0801, 0);
    buf.writeUInt32BE(9, 4);
    writeFileSync(file, buf);
    expect(() => readIdx(file, 1)).toThrow(/bad-idx1-ubyte: header promises 9 bytes .* but 5 follow/);
    expect(() => readIdx(file, 3)).toThrow(/too short for an IDX header/);
    expect(() => readIdx(file, 2)).toThrow(/magic 0x801 is not unsigned bytes with 2 dimensions/);
  });
});

describe('Fashion-MNIST', () => {
  it('has the fixed split with every class in both parts', async () => {
    const d = await fashionMnistDataset.load({ trainLimit: 2000 });
    expect(d.test.count).toBe(10 * FASHION_TEST_PER_CLASS);
    expect(d.train.count).toBe(2000);
    expect(new Set(d.train.y).size).toBe(10);
    const perClass = new Array(10).fill(0);
    d.test.y.forEach((c) => perClass[c]++);
    expect(perClass).toEqual(new Array(10).fill(FASHION_TEST_PER_CLASS));
  }, 60000);
});

describe('batching', () => {
  it('covers every sample once per epoch and is reproducible', () => {
    const a = minibatches(1000, 128, new Rng(1));
    const b = minibatches(1000, 128, new Rng(1));
    expect(a.map((x) => Array.from(x))).toEqual(b.map((x) => Array.from(x)));
    const all = a.flatMap((x) => Array.from(x)).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(a[a.length - 1].length).toBe(1000 - 7 * 128);
  });

  it('gathers samples and labels together', async () => {
    const d = await blobsDataset.load();
    const batch = gather(d.train, Int32Array.from([5, 2]), 16);
    expect(Array.from(batch.y)).toEqual([d.train.y[5], d.train.y[2]]);
    expect(Array.from(batch.x.subarray(16, 32))).toEqual(Array.from(d.train.x.subarray(32, 48)));
  });
});
