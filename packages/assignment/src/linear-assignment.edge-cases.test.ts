import { assignmentCost, AssignmentWorkspace, linearSumAssignment } from './linear-assignment';

/**
 * The edge cases that SciPy's `linear_sum_assignment` tests cover (its known small optima, empty
 * shapes, infinities, infeasible matrices, maximisation), asked of this solver with one reused
 * workspace, which is how weight matching calls it.
 */
const workspace = new AssignmentWorkspace();
const solve = (cost: number[][], maximize = false): Int32Array =>
  linearSumAssignment(cost.flat(), cost.length, cost[0]?.length ?? 0, { maximize, workspace });

/** The least (or greatest) total over every injective map of the smaller side (small sizes only). */
function enumerate(cost: number[][], maximize: boolean): number {
  const [rows, cols] = [cost.length, cost[0].length];
  const tall = rows > cols;
  const [outer, inner] = tall ? [cols, rows] : [rows, cols];
  const entry = (o: number, i: number) => (tall ? cost[i][o] : cost[o][i]);
  let best = maximize ? -Infinity : Infinity;
  const used = new Array<boolean>(inner).fill(false);
  const go = (o: number, total: number): void => {
    if (o === outer) {
      best = maximize ? Math.max(best, total) : Math.min(best, total);
      return;
    }
    for (let i = 0; i < inner; i++) {
      if (used[i]) continue;
      used[i] = true;
      go(o + 1, total + entry(o, i));
      used[i] = false;
    }
  };
  go(0, 0);
  return best;
}

describe('linearSumAssignment on the edge cases of SciPy’s tests', () => {
  // Matrices and the entries an optimum takes in each row, as SciPy's test suite states them;
  // each is asked as stated and negated with maximize, as SciPy's test does.
  const inf = Infinity;
  const known: Array<{ name: string; cost: number[][]; entries: number[] }> = [
    {
      name: 'square',
      cost: [
        [400, 150, 400],
        [400, 450, 600],
        [300, 225, 300],
      ],
      entries: [150, 400, 300],
    },
    {
      name: 'wide',
      cost: [
        [400, 150, 400, 1],
        [400, 450, 600, 2],
        [300, 225, 300, 3],
      ],
      entries: [150, 2, 300],
    },
    {
      name: 'square 2',
      cost: [
        [10, 10, 8],
        [9, 8, 1],
        [9, 7, 4],
      ],
      entries: [10, 1, 7],
    },
    {
      name: 'wide 2',
      cost: [
        [10, 10, 8, 11],
        [9, 8, 1, 1],
        [9, 7, 4, 10],
      ],
      entries: [10, 1, 4],
    },
    {
      name: 'square, +∞ forbids',
      cost: [
        [10, inf, inf],
        [inf, inf, 1],
        [inf, 7, inf],
      ],
      entries: [10, 1, 7],
    },
    {
      name: 'wide, +∞ forbids',
      cost: [
        [10, inf, inf, inf],
        [inf, inf, 1, inf],
        [inf, 7, inf, inf],
      ],
      entries: [10, 1, 7],
    },
  ];
  for (const { name, cost, entries } of known) {
    for (const sign of [1, -1]) {
      it(`takes the stated optimum of the ${name} problem (${sign > 0 ? 'minimising' : 'negated, maximising'})`, () => {
        const signed = cost.map((row) => row.map((x) => sign * x));
        const colForRow = solve(signed, sign < 0);
        expect(Array.from(colForRow, (j, i) => signed[i][j])).toEqual(entries.map((x) => sign * x));
        if (cost.flat().every(Number.isFinite))
          expect(assignmentCost(signed.flat(), cost[0].length, colForRow)).toBe(enumerate(signed, sign < 0));
      });
    }
  }

  it('solves the transpose of a rectangular problem to the same total', () => {
    const cost = known[1].cost;
    const transposed = cost[0].map((_, j) => cost.map((row) => row[j]));
    const rowForCol = solve(transposed);
    expect(
      Array.from(rowForCol)
        .filter((i) => i >= 0)
        .sort(),
    ).toEqual([0, 1, 2]);
    expect(assignmentCost(transposed.flat(), 3, rowForCol)).toBe(452);
  });

  it.each([
    [0, 0],
    [0, 3],
    [3, 0],
  ])('accepts an empty %i × %i problem', (rows, cols) => {
    const colForRow = linearSumAssignment(new Float64Array(0), rows, cols, { workspace });
    expect(Array.from(colForRow)).toEqual(new Array<number>(rows).fill(-1));
  });

  it.each([
    {
      name: 'a row with no finite entry',
      cost: [
        [1, 2],
        [Infinity, Infinity],
      ],
    },
    {
      name: 'two rows that only fit one column',
      cost: [
        [1, Infinity, Infinity],
        [2, Infinity, Infinity],
      ],
    },
    {
      name: 'a wide problem whose rows share one column',
      cost: [
        [Infinity, 1, Infinity, Infinity],
        [Infinity, 3, Infinity, Infinity],
      ],
    },
    {
      name: 'a tall problem whose columns share one row',
      cost: [
        [Infinity, Infinity],
        [1, 4],
        [Infinity, Infinity],
      ],
    },
  ])('refuses an infeasible matrix: $name', ({ cost }) => {
    expect(() => solve(cost)).toThrow('cost matrix admits no finite assignment');
    // The workspace is still good for the next problem.
    expect(Array.from(solve(known[0].cost))).toEqual([1, 0, 2]);
  });

  it('refuses NaN anywhere, and the infinity that makes the optimum unbounded, by entry', () => {
    expect(() =>
      solve([
        [1, 2],
        [3, NaN],
      ]),
    ).toThrow('cost[1][1] is NaN');
    expect(() =>
      solve([
        [1, 2, 3],
        [NaN, 5, 6],
      ]),
    ).toThrow('cost[1][0] is NaN');
    expect(() =>
      solve([
        [1, -Infinity],
        [3, 4],
      ]),
    ).toThrow(/cost\[0\]\[1\] is -Infinity/);
    expect(() =>
      solve(
        [
          [1, 2],
          [Infinity, 4],
        ],
        true,
      ),
    ).toThrow(/cost\[1\]\[0\] is Infinity/);
  });

  it('gives every assignment of a constant matrix the same total, one column per row', () => {
    for (const [rows, cols] of [
      [5, 5],
      [3, 6],
      [6, 3],
    ]) {
      const cost = Array.from({ length: rows }, () => new Array<number>(cols).fill(7));
      const colForRow = solve(cost);
      const chosen = Array.from(colForRow).filter((j) => j >= 0);
      expect(new Set(chosen).size).toBe(Math.min(rows, cols));
      expect(assignmentCost(cost.flat(), cols, colForRow)).toBe(7 * Math.min(rows, cols));
    }
  });

  it('maximises as it minimises the negated costs', () => {
    const cost = known[3].cost;
    const best = enumerate(cost, true);
    expect(assignmentCost(cost.flat(), 4, solve(cost, true))).toBe(best);
    const negated = cost.map((row) => row.map((x) => -x));
    expect(-assignmentCost(negated.flat(), 4, solve(negated))).toBe(best);
  });

  it('keeps full precision on large costs with small differences', () => {
    const big = 1e15;
    const cost = [
      [big + 1, big + 2],
      [big + 2, big + 8],
    ];
    expect(Array.from(solve(cost))).toEqual([1, 0]);
  });
});
