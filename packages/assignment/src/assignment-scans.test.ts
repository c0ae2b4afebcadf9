import { TestRandom } from './testing/test-random';
import { assignmentScans } from './assignment-scans';

/** A memory holding float64 arrays laid out one after another; returns their byte addresses. */
function layout(...arrays: Float64Array[]): {
  memory: WebAssembly.Memory;
  at: number[];
  view: (k: number) => Float64Array;
} {
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const memory = new WebAssembly.Memory({ initial: Math.ceil((total * 8 + 64) / 65536) });
  const at: number[] = [];
  let offset = 8;
  for (const a of arrays) {
    new Float64Array(memory.buffer, offset, a.length).set(a);
    at.push(offset);
    offset += a.length * 8;
  }
  return { memory, at, view: (k) => new Float64Array(memory.buffer, at[k], arrays[k].length) };
}

const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 33, 64];

function randomRow(n: number, seed: number, special = false): Float64Array {
  const rng = new TestRandom(seed);
  return Float64Array.from({ length: n }, (_, j) =>
    special && j % 5 === 3 ? Infinity : Math.floor(rng.next() * 8) - 3,
  );
}

describe('assignment scans', () => {
  it.each(sizes)('rowMin and rowIndexOf agree with plain loops (n = %i, ties, masks and +∞ entries)', (n) => {
    for (let seed = 0; seed < 5; seed++) {
      const c = randomRow(n, seed, seed % 2 === 1);
      const v = randomRow(n, seed + 100).map((x) => x / 2);
      const mask = Float64Array.from({ length: n }, (_, j) => (seed > 1 && (j + seed) % 3 === 0 ? Infinity : 0));
      const { memory, at } = layout(c, v, mask);
      const scans = assignmentScans(memory);
      const reduced = Array.from(c, (x, j) => x - v[j]);
      const min = Math.min(...reduced);
      expect(scans.rowMin(at[0], at[1], n)).toBe(min);
      for (let start = 0; start < n; start++) {
        const expected = reduced.findIndex((r, j) => j >= start && r === min && mask[j] === 0);
        expect(scans.rowIndexOf(at[0], at[1], at[2], n, start, min)).toBe(expected);
      }
      expect(scans.rowIndexOf(at[0], at[1], at[2], n, 0, 1e9)).toBe(-1);
    }
  });

  it.each(sizes)("rowMin2 gives each lane's two least entries of the whole blocks of four (n = %i)", (n) => {
    for (let seed = 0; seed < 5; seed++) {
      const c = randomRow(n, seed + 20, seed % 2 === 0);
      const v = randomRow(n, seed + 30).map((x) => x / 2);
      const out = new Float64Array(8);
      const { memory, at, view } = layout(c, v, out);
      assignmentScans(memory).rowMin2(at[0], at[1], n, at[2]);
      const top = view(2);
      for (const lane of [0, 1]) {
        const entries = Array.from({ length: n - (n % 4) }, (_, j) => ({ r: c[j] - v[j], j })).filter(
          (e) => e.j % 2 === lane && e.r < Infinity,
        );
        const sorted = [...entries].sort((x, y) => x.r - y.r);
        const [least, second] = [sorted[0]?.r ?? Infinity, sorted[1]?.r ?? Infinity];
        expect([top[lane], top[4 + lane]]).toEqual([least, second]);
        // The reported columns hold those values (any of several tied columns will do).
        if (least < Infinity) expect(c[top[2 + lane]] - v[top[2 + lane]]).toBe(least);
        if (second < Infinity) expect(c[top[6 + lane]] - v[top[6 + lane]]).toBe(second);
        if (second < Infinity) expect(top[6 + lane]).not.toBe(top[2 + lane]);
      }
    }
  });

  it.each(sizes)('columnMin lowers v to the entrywise minimum (n = %i)', (n) => {
    const c = randomRow(n, 1, true);
    const v = randomRow(n, 2);
    const { memory, at, view } = layout(c, v);
    assignmentScans(memory).columnMin(at[0], at[1], n);
    expect(Array.from(view(1))).toEqual(Array.from(c, (x, j) => Math.min(x, v[j])));
  });

  it.each([16, 32, 48, 80])(
    'relax is one Dijkstra step over the columns of the active blocks; the least, least free and the first blocks holding them reported (n = %i)',
    (n) => {
      for (let seed = 0; seed < 4; seed++) {
        const c = randomRow(n, 3 + seed, true);
        // Finished columns: v = −∞ and shortest = +∞.
        const finished = (j: number) => j % 4 === 1 || j % 16 === 9;
        const v = randomRow(n, 4 + seed).map((x, j) => (finished(j) ? -Infinity : x / 4));
        const shortest = randomRow(n, 5 + seed).map((x, j) => (j % 3 === 0 || finished(j) ? Infinity : x + 2));
        const path = new Float64Array(n).fill(-1);
        const taken = Float64Array.from({ length: n }, (_, j) => ((j * 7 + seed) % 3 === 0 ? 0 : Infinity));
        const blocks = n / 16;
        const out = new Float64Array(4);
        const counts = new Float64Array(blocks);
        const { memory, at, view } = layout(c, v, shortest, path, taken, out, counts);
        // Block 1 is inactive: the scan must leave it untouched. Free columns are tracked in the
        // blocks with a count above 0; block 0 claims none on odd seeds.
        const active = new Int32Array(memory.buffer, at[6], blocks).fill(16);
        if (blocks > 1) active[1] = 0;
        const freeCounts = new Int32Array(memory.buffer, at[6] + 4 * blocks, blocks);
        for (let j = 0; j < n; j++) if (taken[j] === 0) freeCounts[j >> 4]++;
        if (seed % 2 === 1) freeCounts[0] = 0;
        assignmentScans(memory).relax(
          at[0],
          at[1],
          at[2],
          at[3],
          at[4],
          at[6],
          at[6] + 4 * blocks,
          blocks,
          0.5,
          7,
          at[5],
        );
        const expectedShortest = Float64Array.from(shortest);
        const expectedPath = Float64Array.from(path);
        const least = new Array<number>(blocks).fill(Infinity);
        const leastFree = new Array<number>(blocks).fill(Infinity);
        for (let j = 0; j < n; j++) {
          if (active[j >> 4] === 0) continue;
          const d = 0.5 + c[j] - v[j];
          if (d < expectedShortest[j]) {
            expectedShortest[j] = d;
            expectedPath[j] = 7;
          }
          least[j >> 4] = Math.min(least[j >> 4], expectedShortest[j]);
          if (freeCounts[j >> 4] > 0) leastFree[j >> 4] = Math.min(leastFree[j >> 4], expectedShortest[j] + taken[j]);
        }
        // Finished columns stay out of reach; inactive blocks keep their entries.
        for (let j = 0; j < n; j++)
          if (finished(j)) expect([expectedShortest[j], expectedPath[j]]).toEqual([Infinity, -1]);
        expect(Array.from(view(2))).toEqual(Array.from(expectedShortest));
        expect(Array.from(view(3))).toEqual(Array.from(expectedPath));
        const [all, free] = [Math.min(...least), Math.min(...leastFree)];
        const firstBlock = (values: number[], value: number) => (value === Infinity ? -1 : values.indexOf(value));
        expect(Array.from(view(5))).toEqual([all, free, firstBlock(least, all), firstBlock(leastFree, free)]);
      }
    },
  );

  it.each(sizes)('prepare negates on request and reports a NaN or a −∞ (after negation) anywhere (n = %i)', (n) => {
    for (const negate of [0, 1]) {
      const x = randomRow(n, 8, true);
      const { memory, at, view } = layout(x);
      // +∞ (a forbidden pair) is valid; negated it is −∞, an unbounded minimum.
      const flagged = negate === 1 && x.some((e) => e === Infinity) ? 1 : 0;
      expect(assignmentScans(memory).prepare(at[0], n, negate)).toBe(flagged);
      expect(Array.from(view(0))).toEqual(Array.from(x, (e) => (negate ? -e : e)));
    }
    for (let k = 0; k < n; k++) {
      for (const [value, negate] of [
        [Number.NaN, 1],
        [Number.NaN, 0],
        [-Infinity, 0],
        [Infinity, 1],
      ]) {
        const x = randomRow(n, 9);
        x[k] = value;
        const { memory, at } = layout(x);
        expect([value, negate, assignmentScans(memory).prepare(at[0], n, negate)]).toEqual([value, negate, 1]);
      }
    }
  });
});
