import { AssignmentWorkspace, assignmentCost, solveAssignment } from '@weightspace/assignment';
import { Rng } from '@weightspace/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { costFamilies } from './lap-families';
import { LapReference } from './lap-reference';
import type { Row } from './row';
import { median, timeMedian } from './stats';

/** Rounds per row: each times weightspace, then SciPy, on the same matrix. */
const ROUNDS = 3;

/**
 * One row per cost family and size (n = 512 and 1024; 128 and 256 with `quick`; uniform costs
 * also at 2048): weightspace's solver and SciPy's timed alternately, ROUNDS times, in the same
 * run, each round a median of `runs` solves. A row's ratio is the median of its rounds' ratios,
 * so a burst of load on this shared machine moves one round, not the row. The optimal totals
 * must agree; a row records whether they did.
 */
export async function assignmentRows(
  dir: string,
  quick: boolean,
  runs: number,
  withReference: boolean,
  log: (line: string) => void,
): Promise<Row[]> {
  mkdirSync(dir, { recursive: true });
  const sizes = quick ? [128, 256] : [512, 1024];
  const cases = costFamilies.flatMap((family) =>
    [...sizes, ...(family.name === 'uniform' && !quick ? [2048] : [])].map((n) => ({ family, n })),
  );
  // One workspace for every solve, as weight matching keeps one for its descent; the JIT compiles
  // the solver on a few small problems before anything is timed.
  const workspace = new AssignmentWorkspace();
  const warmUp = new Rng(1);
  for (let k = 0; k < 5; k++)
    solveAssignment(
      Float64Array.from({ length: 300 * 300 }, () => warmUp.next()),
      300,
      300,
      { workspace },
    );
  const reference = withReference ? LapReference.start() : undefined;
  const rows: Row[] = [];
  try {
    for (const { family, n } of cases) {
      const cost = family.cost(n, n);
      const file = join(dir, `${family.name}-${n}.f64`);
      writeFileSync(file, new Uint8Array(cost.buffer));
      // Fewer runs where one solve takes seconds.
      const solves = family.name === 'machol-wien' && n > 512 ? Math.min(runs, 2) : runs;
      const rounds: Array<{ ours: number; reference?: number }> = [];
      let total = 0;
      let referenceTotal: number | undefined;
      for (let round = 0; round < ROUNDS; round++) {
        const { ms } = timeMedian(() => {
          total = assignmentCost(cost, n, solveAssignment(cost, n, n, { workspace }).colForRow);
        }, solves);
        const theirs = reference ? await reference.time(file, n, solves) : undefined;
        referenceTotal = theirs?.total;
        rounds.push({ ours: ms, reference: theirs?.ms });
      }
      const oursMs = median(rounds.map((r) => r.ours));
      const ratios = rounds.flatMap((r) => (r.reference ? [r.ours / r.reference] : []));
      const row: Row = {
        name: `assignment ${family.name} n=${n}`,
        oursMs,
        referenceMs: reference ? median(rounds.map((r) => r.reference as number)) : undefined,
        ratio: ratios.length ? median(ratios) : null,
        detail: {
          family: family.definition,
          rounds,
          total,
          ...(referenceTotal !== undefined && {
            referenceTotal,
            totalsAgree: Math.abs(total - referenceTotal) <= 1e-9 * Math.max(1, Math.abs(total)),
          }),
        },
      };
      log(`${row.name}: ${oursMs.toFixed(1)} ms${row.ratio !== null ? `, ratio ${row.ratio.toFixed(2)}` : ''}`);
      rows.push(row);
    }
  } finally {
    reference?.close();
  }
  return rows;
}
