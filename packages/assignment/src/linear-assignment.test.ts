import { TestRandom } from './testing/test-random';
import { assignmentCost, AssignmentWorkspace, linearSumAssignment, solveAssignment } from './linear-assignment';

/** Optimal cost by enumerating every injective map of rows to columns (small sizes only). */
function bruteForce(cost: number[], rows: number, cols: number, maximize: boolean): number {
  const k = Math.min(rows, cols);
  let best = maximize ? -Infinity : Infinity;
  const usedCols = new Array<boolean>(cols).fill(false);
  const usedRows = new Array<boolean>(rows).fill(false);
  const go = (depth: number, total: number): void => {
    if (depth === k) {
      best = maximize ? Math.max(best, total) : Math.min(best, total);
      return;
    }
    // Assign the depth-th element of the smaller side.
    if (rows <= cols) {
      for (let j = 0; j < cols; j++) {
        if (usedCols[j]) continue;
        usedCols[j] = true;
        go(depth + 1, total + cost[depth * cols + j]);
        usedCols[j] = false;
      }
    } else {
      for (let i = 0; i < rows; i++) {
        if (usedRows[i]) continue;
        usedRows[i] = true;
        go(depth + 1, total + cost[i * cols + depth]);
        usedRows[i] = false;
      }
    }
  };
  go(0, 0);
  return best;
}

function isInjective(colForRow: Int32Array, cols: number): boolean {
  const seen = new Set<number>();
  for (const j of colForRow) {
    if (j < 0) continue;
    if (j >= cols || seen.has(j)) return false;
    seen.add(j);
  }
  return true;
}

describe('linearSumAssignment', () => {
  const rng = new TestRandom(11);
  const cases: Array<{ name: string; rows: number; cols: number; make: () => number }> = [
    { name: 'uniform square', rows: 7, cols: 7, make: () => rng.next() },
    { name: 'integer ties', rows: 7, cols: 7, make: () => rng.int(3) },
    { name: 'wide rectangle', rows: 4, cols: 7, make: () => rng.next() * 10 - 5 },
    { name: 'tall rectangle', rows: 7, cols: 4, make: () => rng.int(5) - 2 },
  ];
  for (const { name, rows, cols, make } of cases) {
    for (const maximize of [false, true]) {
      it(`is optimal on ${name} (${maximize ? 'max' : 'min'})`, () => {
        for (let trial = 0; trial < 15; trial++) {
          const cost = Array.from({ length: rows * cols }, make);
          const colForRow = linearSumAssignment(cost, rows, cols, { maximize });
          expect(isInjective(colForRow, cols)).toBe(true);
          expect(colForRow.filter((j) => j >= 0).length).toBe(Math.min(rows, cols));
          expect(assignmentCost(cost, cols, colForRow)).toBeCloseTo(bruteForce(cost, rows, cols, maximize), 9);
        }
      });
    }
  }

  it('recovers a planted permutation', () => {
    const n = 300;
    const perm = new TestRandom(5).permutation(n);
    const cost = new Float64Array(n * n);
    const noise = new TestRandom(6);
    for (let i = 0; i < n * n; i++) cost[i] = noise.next() * 0.5;
    for (let i = 0; i < n; i++) cost[i * n + perm[i]] += 1;
    expect(Array.from(linearSumAssignment(cost, n, n, { maximize: true }))).toEqual(Array.from(perm));
  });

  it('rejects NaN costs, unbounded infinities and wrong sizes, naming the entry', () => {
    expect(() => linearSumAssignment([0, NaN, 1, 2], 2, 2)).toThrow('cost[0][1] is NaN');
    for (const [rows, cols] of [
      [2, 2],
      [1, 3],
      [3, 1],
    ]) {
      const cost = Array.from({ length: rows * cols }, (_, k) => k);
      cost[rows * cols - 1] = -Infinity;
      expect(() => linearSumAssignment(cost, rows, cols)).toThrow(/is -Infinity: minimising the total is unbounded/);
      cost[rows * cols - 1] = Infinity;
      expect(() => linearSumAssignment(cost, rows, cols, { maximize: true })).toThrow(
        /is Infinity: maximising the total is unbounded/,
      );
      // The other infinity only forbids a pair.
      expect(() => linearSumAssignment(cost, rows, cols)).not.toThrow();
    }
    expect(() => linearSumAssignment([0, 1, 2], 2, 2)).toThrow(/expected 2×2/);
  });
});

describe('solveAssignment starts', () => {
  const optimalCost = (cost: Float64Array, n: number) => {
    // Reference through the rectangular path (a never-used extra column): plain shortest
    // augmenting paths from zero duals, with neither column reduction, row reduction nor warm start.
    const wide = new Float64Array(n * (n + 1));
    for (let i = 0; i < n; i++) {
      wide.set(cost.subarray(i * n, (i + 1) * n), i * (n + 1));
      wide[i * (n + 1) + n] = 1e9;
    }
    return assignmentCost(wide, n + 1, linearSumAssignment(wide, n, n + 1));
  };

  it('cold starts (column and row reduction) stay optimal on random and tied costs', () => {
    const rng = new TestRandom(21);
    for (const [n, make] of [
      [60, () => rng.next()],
      [80, () => rng.int(4)],
      [150, () => rng.normal()],
    ] as Array<[number, () => number]>) {
      for (let trial = 0; trial < 5; trial++) {
        const cost = Float64Array.from({ length: n * n }, make);
        expect(assignmentCost(cost, n, solveAssignment(cost, n, n).colForRow)).toBeCloseTo(optimalCost(cost, n), 8);
      }
    }
  });

  it('warm starts from a nearby or an unrelated problem stay optimal', () => {
    const rng = new TestRandom(22);
    const n = 120;
    const first = Float64Array.from({ length: n * n }, () => rng.next());
    const solved = solveAssignment(first, n, n, { maximize: true });
    const nearby = first.map((c) => c + 0.01 * rng.normal());
    const unrelated = Float64Array.from({ length: n * n }, () => rng.next());
    for (const next of [first, nearby, unrelated]) {
      const warm = solveAssignment(next, n, n, { maximize: true, warmStart: solved.warmStart });
      const cold = solveAssignment(next, n, n, { maximize: true });
      expect(assignmentCost(next, n, warm.colForRow)).toBeCloseTo(assignmentCost(next, n, cold.colForRow), 8);
    }
    const again = solveAssignment(first, n, n, { maximize: true, warmStart: solved.warmStart });
    expect(Array.from(again.colForRow)).toEqual(Array.from(solved.colForRow));
  });

  it('ignores a warm start of the wrong shape', () => {
    const cost = Float64Array.from({ length: 16 }, (_, i) => (i * 7) % 5);
    const other = solveAssignment(
      Float64Array.from({ length: 9 }, (_, i) => i),
      3,
      3,
    );
    expect(assignmentCost(cost, 4, solveAssignment(cost, 4, 4, { warmStart: other.warmStart }).colForRow)).toBe(
      optimalCost(cost, 4),
    );
  });
});

describe('a reused workspace', () => {
  it('solves [[3, 6, 1]] optimally after [[5, 3], [5, 4]]', () => {
    const workspace = new AssignmentWorkspace();
    solveAssignment([5, 3, 5, 4], 2, 2, { workspace });
    expect(Array.from(solveAssignment([3, 6, 1], 1, 3, { workspace }).colForRow)).toEqual([2]);
  });

  it('stays optimal over a run of square, wide and tall problems of changing sizes', () => {
    const rng = new TestRandom(31);
    const workspace = new AssignmentWorkspace();
    for (let trial = 0; trial < 120; trial++) {
      const rows = 1 + rng.int(6);
      const cols = 1 + rng.int(6);
      const tied = trial % 3 === 0;
      const cost = Array.from({ length: rows * cols }, () => (tied ? rng.int(3) : rng.next() * 10 - 5));
      const maximize = trial % 4 === 1;
      const { colForRow } = solveAssignment(cost, rows, cols, { workspace, maximize });
      expect(isInjective(colForRow, cols)).toBe(true);
      expect(assignmentCost(cost, cols, colForRow)).toBeCloseTo(bruteForce(cost, rows, cols, maximize), 9);
    }
  });
});
