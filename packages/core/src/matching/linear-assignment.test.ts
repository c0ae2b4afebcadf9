import { Rng } from '../random/rng';
import { assignmentCost, linearSumAssignment } from './linear-assignment';

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
  const rng = new Rng(11);
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
    const perm = new Rng(5).permutation(n);
    const cost = new Float64Array(n * n);
    const noise = new Rng(6);
    for (let i = 0; i < n * n; i++) cost[i] = noise.next() * 0.5;
    for (let i = 0; i < n; i++) cost[i * n + perm[i]] += 1;
    expect(Array.from(linearSumAssignment(cost, n, n, { maximize: true }))).toEqual(Array.from(perm));
  });

  it('rejects NaN costs and wrong sizes', () => {
    expect(() => linearSumAssignment([0, NaN, 1, 2], 2, 2)).toThrow(/NaN/);
    expect(() => linearSumAssignment([0, 1, 2], 2, 2)).toThrow(/expected 2×2/);
  });
});
