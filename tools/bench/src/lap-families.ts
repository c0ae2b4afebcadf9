import { Rng } from '@weightspace/core';

/**
 * The cost families of the assignment benchmark: SciPy's `linear_sum_assignment` benchmark
 * families and the classes of Burkard, Dell'Amico and Martello (Assignment Problems, 2009,
 * §4.10.1), dense n × n. Each is a pure function of (n, seed).
 */
export interface CostFamily {
  readonly name: string;
  /** What an entry c[i][j] is. */
  readonly definition: string;
  readonly cost: (n: number, seed: number) => Float64Array;
}

function fill(n: number, seed: number, entry: (i: number, j: number, rng: Rng) => number): Float64Array {
  const rng = new Rng(seed);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[i * n + j] = entry(i, j, rng);
  return c;
}

export const costFamilies: readonly CostFamily[] = [
  { name: 'uniform', definition: 'uniform in [0, 1)', cost: (n, s) => fill(n, s, (_i, _j, r) => r.next()) },
  {
    name: 'integer',
    definition: 'uniform integers in [−1000, 1000)',
    cost: (n, s) => fill(n, s, (_i, _j, r) => Math.floor(r.next() * 2000) - 1000),
  },
  {
    name: 'logarithmic',
    definition: '10^u, u uniform in [−20, 20)',
    cost: (n, s) => fill(n, s, (_i, _j, r) => 10 ** (r.next() * 40 - 20)),
  },
  {
    name: 'binary',
    definition: '0 or 1, equally likely',
    cost: (n, s) => fill(n, s, (_i, _j, r) => (r.next() < 0.5 ? 0 : 1)),
  },
  {
    name: 'two-cost',
    definition: '1 or 10⁶, equally likely',
    cost: (n, s) => fill(n, s, (_i, _j, r) => (r.next() < 0.5 ? 1 : 1e6)),
  },
  { name: 'machol-wien', definition: '(i + 1)(j + 1)', cost: (n, s) => fill(n, s, (i, j) => (i + 1) * (j + 1)) },
  {
    name: 'tied',
    definition: 'a_i + b_j, integers a, b uniform in [0, 100): every assignment has the same total',
    cost: (n, s) => {
      const rng = new Rng(s);
      const [a, b] = [0, 1].map(() => Float64Array.from({ length: n }, () => Math.floor(rng.next() * 100)));
      return fill(n, s, (i, j) => a[i] + b[j]);
    },
  },
];
