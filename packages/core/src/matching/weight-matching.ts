import * as tf from '@tensorflow/tfjs';
import { innerProduct, Params } from '../params/params';
import { Rng } from '../random/rng';
import { identity } from '../symmetry/algebra';
import { GroupElement, PermutationValue } from '../symmetry/element';
import { axesOfGroup, GroupDeclaration, SymmetrySpec } from '../symmetry/spec';
import { transform, transformTensor } from '../symmetry/transform';
import { linearSumAssignment } from './linear-assignment';
import { MatchContext, Matcher, MatchResult } from './matcher';

/**
 * Weight matching (Ainsworth, Hayase & Srinivasa 2023, "Git Re-Basin"): coordinate descent over
 * the permutation groups of any spec, maximising Σ_k <A_k, π(B)_k>. Each step fixes every group but
 * one and solves that one exactly as a linear assignment problem; a sweep visits the groups in a
 * seeded random order; it stops after a sweep that improves no group.
 */
export function weightMatching(spec: SymmetrySpec, a: Params, b: Params, context: MatchContext): MatchResult {
  const started = performance.now();
  const groups = (context.groups ?? Object.keys(spec.groups)).filter((g) => spec.groups[g] !== undefined);
  for (const g of groups) assertMatchable(g, spec.groups[g]);
  const maxIterations = context.maxIterations ?? 100;
  const element: GroupElement = identity(spec);
  const objectiveBefore = innerProduct(a, b);
  const rng = new Rng(context.seed);

  let iterations = 0;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    iterations = iteration + 1;
    let progressed = false;
    const order = rng.fork(iteration).shuffle([...groups]);
    for (const group of order) {
      const decl = spec.groups[group];
      const n = decl.size;
      const cost = costMatrix(spec, a, b, element, group, decl);
      const current = (element[group] as PermutationValue).perm;
      const next = linearSumAssignment(cost, n, n, { maximize: true });
      const oldScore = scoreOf(cost, n, current);
      const newScore = scoreOf(cost, n, next);
      if (newScore > oldScore + Math.max(1e-12, 1e-9 * Math.abs(oldScore))) {
        progressed = true;
        element[group] = { kind: 'permutation', perm: next };
      }
    }
    if (!progressed) break;
    context.progress?.({ task: 'weight matching', done: iterations, total: maxIterations, info: 'improving' });
  }
  context.progress?.({ task: 'weight matching', done: iterations, total: iterations, info: `converged after ${iterations} sweeps` });

  const aligned = transform(b, spec, element);
  const objectiveAfter = innerProduct(a, aligned);
  for (const t of Object.values(aligned)) t.dispose();
  return { element, objectiveBefore, objectiveAfter, iterations, seconds: (performance.now() - started) / 1000 };
}

/**
 * C[i, j] = Σ over (param, axis) touched by `group` of <A's unit i, B's unit j> along that axis,
 * with B's other axes already carrying the current element. For a block permutation whose axis
 * has size·blockSize entries, a unit is a whole block.
 */
function costMatrix(
  spec: SymmetrySpec,
  a: Params,
  b: Params,
  element: GroupElement,
  group: string,
  decl: GroupDeclaration,
): Float32Array {
  const cost = tf.tidy(() => {
    let total: tf.Tensor | undefined;
    for (const { param, axis } of axesOfGroup(spec, group)) {
      const rowsA = unitsFirst(a[param], axis, decl.size);
      const partlyAligned = transformTensor(b[param], param, spec.axes[param], spec, element, axis);
      const rowsB = unitsFirst(partlyAligned, axis, decl.size);
      // An explicit transpose: matMul's transpose flags are far slower on the wasm backend.
      const term = tf.matMul(rowsA, tf.transpose(rowsB));
      total = total === undefined ? term : tf.add(total, term);
    }
    if (total === undefined) throw new Error(`group '${group}' acts on no parameter`);
    return total;
  });
  const data = cost.dataSync() as Float32Array;
  cost.dispose();
  return data;
}

/** Moves `axis` to the front and flattens the rest: one row per unit (or block) of the group. */
function unitsFirst(x: tf.Tensor, axis: number, units: number): tf.Tensor2D {
  if (x.rank === 1) return x.reshape([units, -1]);
  const order = [axis, ...Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== axis)];
  return tf.transpose(x, order).reshape([units, -1]);
}

function scoreOf(cost: Float32Array, n: number, perm: Int32Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + perm[i]];
  return total;
}

function assertMatchable(name: string, decl: GroupDeclaration): void {
  if (decl.kind !== 'permutation' && decl.kind !== 'block-permutation') {
    throw new Error(`weight matching handles permutation groups; group '${name}' is ${decl.kind}`);
  }
  if (decl.batchedOver !== undefined) {
    throw new Error(`weight matching does not match batched groups; group '${name}' is batched over '${decl.batchedOver}'`);
  }
}

export const weightMatchingMatcher: Matcher = {
  id: 'weight',
  description: 'Weight matching: coordinate descent over linear assignment problems (Git Re-Basin)',
  paper: 'Ainsworth, Hayase & Srinivasa 2023, Git Re-Basin (arXiv:2209.04836)',
  kinds: ['permutation', 'block-permutation'],
  batched: false,
  match: weightMatching,
};
