import * as tf from '@tensorflow/tfjs';
import { type HostReads, readAsynchronously, readSynchronously } from '../params/host-reads';
import { innerProductReads, type Params } from '../params/params';
import { Rng } from '../random/rng';
import { identity } from '../symmetry/algebra';
import { type DenseMatrix, maxAbsDiff } from '../symmetry/dense-matrix';
import type { GroupElement, GroupValue, MatrixValue, PermutationValue } from '../symmetry/element';
import { axesOfGroup, type GroupDeclaration, isPermutationKind, type SymmetrySpec } from '../symmetry/spec';
import { batchedMatrixGroups, circuitSimilarity, sharesAxesWith } from './circuits';
import { batchedMatrixStep, matrixScore, orthogonalStep, permutationMatrix } from './matrix-steps';
import { CostTerms } from './cost-terms';
import { type AssignmentWarmStart, AssignmentWorkspace, solveAssignment } from '@weightspace/assignment';
import { type MatchContext, type Matcher, matcherOption, type MatcherOption, type MatchResult } from './matcher';
import { groupsToMatch, objectiveReads, objectiveView } from './match-objective';

/**
 * Weight matching (Ainsworth, Hayase & Srinivasa 2023, "Git Re-Basin"): coordinate descent over
 * the groups of any spec, maximising Σ_k <A_k, g(B)_k>. Each step fixes every group but one and
 * solves that one: a permutation exactly as a linear assignment problem, an orthogonal group by
 * Procrustes (Theus et al. 2025's residual stream), heads with per-head maps by their circuits and
 * then the maps; a sweep visits the groups in a seeded random order; it stops after a sweep that
 * improves no group. It starts from the identity,
 * or from `context.init` (Git Re-Basin's `init_perm`).
 *
 * @param spec the symmetry spec of both models
 * @param a the reference model
 * @param b the model to move onto A
 * @param context the seed of the group order, an iteration bound, the groups to match, a starting element
 * @returns the element mapping B onto A (apply it with `transform`), the objective before and after, the sweeps it took
 * @example
 * ```ts
 * import { transform, toyPerceptron, weightMatching } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * const spec = toyPerceptron.symmetry(config);
 * const [a, b] = [0, 1].map((seed) => toyPerceptron.init(config, seed));
 * const result = weightMatching(spec, a, b, { seed: 0 });
 * const aligned = transform(b, spec, result.element); // B in A's basin, same function as B
 * console.log(result.objectiveBefore, '→', result.objectiveAfter, Object.keys(aligned).length);
 * ```
 */
export function weightMatching(spec: SymmetrySpec, a: Params, b: Params, context: MatchContext): MatchResult {
  return readSynchronously(weightMatchingReads(spec, a, b, context));
}

/**
 * `weightMatching` reading tensors asynchronously: for the webgpu backend, which cannot read
 * synchronously in Node. The same descent and result.
 */
export function weightMatchingAsync(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  context: MatchContext,
): Promise<MatchResult> {
  return readAsynchronously(weightMatchingReads(spec, a, b, context));
}

function* weightMatchingReads(
  fullSpec: SymmetrySpec,
  fullA: Params,
  fullB: Params,
  context: MatchContext,
): HostReads<MatchResult> {
  const started = performance.now();
  const { spec, a, b } = objectiveView(fullSpec, fullA, fullB, statisticsLeftOut(context));
  const objectiveBefore = yield* innerProductReads(a, b);
  const { element, iterations } = yield* searchReads(spec, a, b, context);
  const objectiveAfter = yield* objectiveReads(spec, a, b, element);
  return { element, objectiveBefore, objectiveAfter, iterations, seconds: (performance.now() - started) / 1000 };
}

/**
 * The coordinate descent of `weightMatching` without the objectives around it (which cost a
 * transform of B and two passes over both networks): for callers that run it many times, such
 * as the straight-through estimator at every step.
 */
export function weightMatchingSearch(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  context: MatchContext,
): { element: GroupElement; iterations: number } {
  const view = objectiveView(spec, a, b, statisticsLeftOut(context));
  return readSynchronously(searchReads(view.spec, view.a, view.b, context));
}

/** The descent on the parameters the objective sees (`objectiveView`, taken by the caller). */
function* searchReads(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  context: MatchContext,
): HostReads<{ element: GroupElement; iterations: number }> {
  const groups = groupsToMatch(spec, context);
  for (const g of groups) assertMatchable(spec, g, spec.groups[g]);
  const perEntry = matcherOption(weightMatchingMatcher, context, 'terms') === 'per-entry';
  const maxIterations = context.maxIterations ?? WEIGHT_MATCHING_MAX_SWEEPS;
  const element: GroupElement = identity(spec);
  for (const g of groups) if (context.init?.[g]) element[g] = context.init[g];

  // Each group's problem changes little between sweeps: start each solve from the last one's duals,
  // and reuse or update each cost term (see CostTerms).
  const warm = new Map<string, AssignmentWarmStart>();
  const bases = new Map<string, DenseMatrix>();
  const workspace = new AssignmentWorkspace();
  const terms = new CostTerms(spec, a, b);
  try {
    let iterations = 0;
    for (let iteration = 0; iteration < maxIterations; iteration++) {
      iterations = iteration + 1;
      let progressed = false;
      const shuffled = sweepOrder(groups, context.seed, iteration);
      // The first sweep starts with the orthogonal groups, each estimated from the parameters
      // only it acts on (a stream from the embeddings and the readout: Theus et al.'s first
      // round), so the other groups' first solves see a stream already near its place; see
      // `firstSweepTerms`.
      const seeding = iteration === 0 && !context.init;
      const first = (g: string) => spec.groups[g].kind === 'orthogonal' && spec.groups[g].batchedOver === undefined;
      const order = seeding ? [...shuffled.filter(first), ...shuffled.filter((g) => !first(g))] : shuffled;
      for (const group of order) {
        const decl = spec.groups[group];
        if (decl.batchedOver !== undefined) {
          const items = yield* batchedMatrixStep(spec, a, b, element, group);
          if (itemsMoved(element[group], items)) {
            progressed = true;
            element[group] = { kind: 'batched', items };
          }
          continue;
        }
        const n = decl.size;
        const circuits = batchedMatrixGroups(spec, group).length > 0;
        const alone = seeding ? firstSweepTerms(spec, group, groups) : undefined;
        const { parts, changed, entries } = circuits
          ? { parts: [], changed: true, entries: [] }
          : costTerms(spec, element, group, decl, terms, alone);
        // The same costs as this group's last solve: its answer cannot improve on the current value.
        if (!changed && warm.has(group)) continue;
        const sum = circuits
          ? circuitSimilarity(spec, a, b, element, group)
          : costSum(parts, perEntry ? entries : undefined);
        let cost: Float32Array;
        try {
          cost = (yield sum) as Float32Array;
        } finally {
          sum.dispose();
        }
        const procrustes = decl.kind === 'orthogonal' && context.orthogonalAs !== 'permutation';
        let next: GroupValue;
        if (procrustes) {
          const step = orthogonalStep(cost, n, bases.get(group));
          bases.set(group, step.basis);
          next = { kind: 'matrix', matrix: step.matrix };
        } else {
          const solved = solveAssignment(cost, n, n, { maximize: true, warmStart: warm.get(group), workspace });
          warm.set(group, solved.warmStart);
          next = assignmentValue(decl, solved.colForRow);
        }
        const tolerance = procrustes ? MATRIX_TOLERANCE : 1e-9;
        if (improves(valueScore(cost, element[group]), valueScore(cost, next), tolerance)) {
          progressed = true;
          element[group] = next;
        }
      }
      if (!progressed) break;
      context.progress?.({ task: 'weight matching', done: iterations, total: maxIterations, info: 'improving' });
    }
    context.progress?.({
      task: 'weight matching',
      done: iterations,
      total: iterations,
      info: `converged after ${iterations} sweeps`,
    });
    return { element, iterations };
  } finally {
    terms.dispose();
  }
}

/** Weight matching's bound on sweeps where `context.maxIterations` sets none. */
export const WEIGHT_MATCHING_MAX_SWEEPS = 100;

/**
 * The order in which sweep `sweep` of a descent seeded with `seed` visits `groups` (before the
 * first sweep puts the orthogonal groups first): a seeded shuffle, one fork of the generator per
 * sweep. Exported for references that must follow the same path.
 */
export function sweepOrder(groups: readonly string[], seed: number, sweep: number): string[] {
  return new Rng(seed).fork(sweep).shuffle([...groups]);
}

/**
 * The terms of C[i, j] = Σ over (param, axis) touched by `group` of <A's unit i, B's unit j> along
 * that axis, with B's other axes already carrying the current element (for a block permutation
 * whose axis has size·blockSize entries, a unit is a whole block); and whether any term changed
 * since the group's last solve. The terms are owned by `terms`.
 */
function costTerms(
  spec: SymmetrySpec,
  element: GroupElement,
  group: string,
  decl: GroupDeclaration,
  terms: CostTerms,
  only?: ReadonlySet<string>,
): { parts: tf.Tensor2D[]; changed: boolean; entries: number[] } {
  const axes = axesOfGroup(spec, group).filter(({ param }) => only === undefined || only.has(param));
  const found = axes.map(({ param, axis, action }) =>
    terms.term(group, param, axis, decl.size, element, action.segment),
  );
  if (found.length === 0) throw new Error(`group '${group}' acts on no parameter`);
  // Each term's entries per unit of its axis: what `terms: per-entry` divides it by.
  const entries = axes.map(({ param, axis }) => terms.size(param) / terms.axisLength(param, axis));
  return { parts: found.map((f) => f.term), changed: found.some((f) => f.changed), entries };
}

/**
 * The parameters a top-level group's first solve looks at, or undefined for all it acts on. An
 * orthogonal group (a stream) looks only at those no other matched group acts on (embeddings, a
 * readout) where there are any; every group leaves out those that per-unit maps act on (attention
 * projections), whose terms mean little before those maps are fit.
 */
function firstSweepTerms(
  spec: SymmetrySpec,
  group: string,
  matched: readonly string[],
): ReadonlySet<string> | undefined {
  const others = new Set(matched.filter((g) => g !== group));
  const perUnit = new Set(matched.filter((g) => spec.groups[g].batchedOver !== undefined));
  const acting = (param: string, on: ReadonlySet<string>) =>
    spec.axes[param].some((actions) => (actions ?? []).some((a) => on.has(a.group)));
  const candidates = axesOfGroup(spec, group).map(({ param }) => param);
  const alone = candidates.filter((param) => !acting(param, others));
  if (spec.groups[group].kind === 'orthogonal' && alone.length) return new Set(alone);
  const clear = candidates.filter((param) => !acting(param, perUnit));
  return clear.length && clear.length < candidates.length ? new Set(clear) : undefined;
}

/**
 * The sum of a group's cost terms (a new tensor, for the caller to read and dispose): one kernel
 * for all of them; with `entries`, each term divided by its own (`terms: per-entry`).
 */
function costSum(parts: readonly tf.Tensor2D[], entries?: readonly number[]): tf.Tensor {
  if (entries) return tf.tidy(() => tf.addN(parts.map((part, k) => tf.div(part, entries[k]))));
  return parts.length === 1 ? parts[0].clone() : tf.addN([...parts]);
}

/**
 * Relative improvement below which a matrix group's new value is not taken. Small: the stream's
 * map and the per-head maps pull on each other, so the descent creeps the last digits over several
 * sweeps (a moved copy is recovered to 1e-6 in about 15); a looser bound stops it at ~1e-4.
 */
const MATRIX_TOLERANCE = 1e-12;

function improves(before: number, after: number, relative: number): boolean {
  return after > before + Math.max(1e-12, relative * Math.abs(before));
}

/** Whether any per-unit map differs from the current one by more than float64 rounding of the solve. */
function itemsMoved(current: GroupValue, items: readonly MatrixValue[]): boolean {
  if (current.kind !== 'batched') return true;
  return items.some((item, k) => {
    const old = current.items[k];
    return old.kind !== 'matrix' || maxAbsDiff(old.matrix, item.matrix) > 1e-9;
  });
}

/**
 * An assignment (perm[i]: the unit row i takes) as the group's value: a permutation, or for an
 * orthogonal group restricted to permutations, its permutation matrix.
 */
function assignmentValue(decl: GroupDeclaration, perm: Int32Array): PermutationValue | MatrixValue {
  return decl.kind === 'orthogonal'
    ? { kind: 'matrix', matrix: permutationMatrix(perm) }
    : { kind: 'permutation', perm };
}

/** A top-level value's share of the objective given its group's cost matrix. */
function valueScore(cost: Float32Array, value: GroupValue): number {
  if (value.kind === 'matrix') return matrixScore(cost, value.matrix);
  if (value.kind === 'permutation') return scoreOf(cost, value.perm.length, value.perm);
  throw new Error('a batched value has no single cost matrix');
}

function scoreOf(cost: Float32Array, n: number, perm: Int32Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + perm[i]];
  return total;
}

/**
 * The normalisation state the objective leaves out: `context.statistics` under `statistics=ignore`
 * (Git Re-Basin's weights-only objective), nothing under `match`. Counting them is the default: on
 * BatchNorm ResNets (reproductions/git-rebasin, widths 1, 2, 4) it gave the lower barrier after BN
 * reset on average, though leaving them out won at width 4.
 */
function statisticsLeftOut(context: MatchContext): readonly string[] {
  return matcherOption(weightMatchingMatcher, context, 'statistics') === 'match' ? [] : (context.statistics ?? []);
}

/**
 * How weight matching weighs a group's parameters in its cost (weight, learned): `sum` adds their
 * inner products, the objective Σ⟨A, g(B)⟩, where a large matrix outweighs an embedding;
 * `per-entry` divides each parameter's term by its entries per unit first, as Theus et al.'s code
 * normalises each block of the residual stream's stack.
 */
export const termsOption: MatcherOption = {
  values: ['sum', 'per-entry'],
  default: 'sum',
  description:
    "how a group's cost weighs its parameters: 'sum' adds their inner products (the objective Σ⟨A, g(B)⟩); 'per-entry' divides each by its entries per unit, so a large matrix does not outweigh an embedding",
};

/** The option of every matcher whose objective is weight matching's (weight, STE). */
export const statisticsOption: MatcherOption = {
  values: ['match', 'ignore'],
  default: 'match',
  description:
    'whether normalisation state (BatchNorm running means and variances) counts in the objective; it moves with its units either way',
};

/** The groups weight matching takes: permutations, orthogonal groups, and matrix groups batched over a unit's axes. */
export function weightMatchable(spec: SymmetrySpec, name: string): boolean {
  const decl = spec.groups[name];
  if (decl.batchedOver !== undefined)
    return !isPermutationKind(decl.kind) && sharesAxesWith(spec, name, decl.batchedOver);
  return decl.kind !== 'invertible';
}

function assertMatchable(spec: SymmetrySpec, name: string, decl: GroupDeclaration): void {
  if (weightMatchable(spec, name)) return;
  if (decl.batchedOver !== undefined) {
    throw new Error(
      `weight matching matches groups batched over another only for matrix groups sharing its axes (per-head maps); group '${name}' (${decl.kind}) is batched over '${decl.batchedOver}'`,
    );
  }
  throw new Error(`weight matching handles permutation and orthogonal groups; group '${name}' is invertible`);
}

/**
 * Weight matching as a registered matcher (`--method weight`, the default): data-free. Permutation
 * groups by exact assignments; orthogonal groups (a residual stream) by Procrustes on the same
 * objective; block permutations with per-unit maps (attention heads) by assignment over their
 * circuits, then each unit's map (see `batchedMatrixStep`); all by coordinate descent.
 */
export const weightMatchingMatcher: Matcher = {
  id: 'weight',
  description:
    'Weight matching: coordinate descent over assignments (Git Re-Basin), Procrustes for orthogonal groups and circuits for heads (Theus et al.)',
  paper: 'Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)',
  kinds: ['permutation', 'block-permutation', 'orthogonal', 'invertible'],
  batched: true,
  handles: weightMatchable,
  options: { statistics: statisticsOption, terms: termsOption },
  match: weightMatching,
};
