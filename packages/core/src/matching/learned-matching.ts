import * as tf from '@tensorflow/tfjs';
import { solveAssignment } from '@weightspace/assignment';
import { gather, minibatches } from '../data/batches';
import { headOf } from '../data/dataset';
import { crossEntropy } from '../metrics/evaluate';
import { disposeParams, type Params } from '../params/params';
import { Rng } from '../random/rng';
import { compose, identity } from '../symmetry/algebra';
import type { GroupElement } from '../symmetry/element';
import { type AxisAction, isPermutationKind, type SymmetrySpec } from '../symmetry/spec';
import { matMulAlongAxis, onSegment, transform } from '../symmetry/transform';
import { Adam } from '../train/adam';
import { requireData } from './match-data';
import type { MatchContext, Matcher, MatchResult } from './matcher';
import { groupsToMatch, objectiveAt } from './match-objective';
import { permutationMatrix } from './matrix-steps';
import { polarFactor } from './procrustes';
import { termsOption, weightMatchable, weightMatching } from './weight-matching';

/**
 * One learned group: an orthogonal map exp(S) of a skew-symmetric S, or a permutation through a
 * straight-through assignment on a latent score matrix Z.
 */
interface LearnedGroup {
  name: string;
  n: number;
  /** Units per block (heads): the axis holds n·blockSize entries. */
  blockSize: number;
  /** `per-unit`: one orthogonal map exp(Sᵤ) per unit of the group it is batched over (per-head maps). */
  kind: 'orthogonal' | 'permutation' | 'per-unit';
  latent: tf.Variable;
}

/**
 * Learned matching (Theus et al. 2025, Algorithm 1): weight matching first, then latent maps on
 * top of it trained so that the interpolated model λ·A + (1 − λ)·g(B), λ ~ U(λ_min, λ_max), has a
 * low training loss. Orthogonal groups (a residual stream) are exp(S) for a skew-symmetric S, which
 * stays orthogonal to rounding and needs only matrix products (tfjs has no differentiable SVD;
 * exp(0) = I starts at weight matching's answer); permutation groups (heads as blocks, MLP units)
 * are the assignment of a latent Z = I + N(0, 0.01²) in the forward pass with Z's gradient in the
 * backward pass (straight-through); per-unit maps (per-head maps) as one exp(Sᵤ) per unit, orthogonal
 * maps within their group, applied before the permutations as the algebra orders them. Adam on the
 * latents; every 25 steps (or a tenth of them) the midpoint loss on 512 held-out training samples
 * decides which step's maps are kept, and half the steps without improvement end the run (the
 * batch loss is too noisy to judge by: on a ViT pair, stopping after a quarter of 500 steps left
 * a barrier of 0.107, 1,500 steps 0.068). With `orthogonalAs: 'permutation'`, orthogonal groups
 * are learned as permutations (the permutation-only ablation). Defaults: 1,000 steps, batch 32,
 * learning rate 0.003, λ in [0.4, 0.6]: a quick look. On the theus-2025 ViT pair they leave a
 * barrier of 0.065, where every training sample and 4,000 steps at 0.001 reach 0.014.
 */
export function learnedMatching(spec: SymmetrySpec, a: Params, b: Params, context: MatchContext): MatchResult {
  const started = performance.now();
  const data = requireData(context, 'learned');
  const { plugin, config } = data;
  const start = weightMatching(spec, a, b, { ...context, progress: undefined });
  const aligned = transform(b, spec, start.element);
  const rng = new Rng(context.seed).fork('learned');
  const groups = learnedGroups(spec, groupsToMatch(spec, context), context.orthogonalAs === 'permutation', rng);
  const shape = plugin.inputShape(config);
  const size = shape.reduce((x: number, y: number) => x * y, 1);
  const batchSize = data.batchSize ?? 32;
  const split = headOf(data.train, data.samples ?? 5000, size);
  const heldOut = Math.min(split.count >> 2, 512);
  const steps = data.steps ?? 1000;
  const evaluateEvery = Math.max(1, Math.min(25, Math.floor(steps / 10)));
  const patience = Math.max(4, Math.round(steps / (2 * evaluateEvery)));
  const optimizer = new Adam(data.learningRate ?? 0.003);
  const floats = (p: Params) => Object.keys(p).filter((name) => p[name].dtype === 'float32');
  const batchTensors = (indices: Int32Array) => {
    const batch = gather(split, indices, size);
    return { x: tf.tensor(batch.x, [indices.length, ...shape]), y: tf.tensor1d(batch.y, 'int32') };
  };
  const interpolatedLoss = (lambda: number, matrices: Record<string, tf.Tensor2D>, x: tf.Tensor, y: tf.Tensor1D) => {
    const moved = transformByMatrices(aligned, spec, matrices);
    const mixed: Params = { ...a };
    for (const name of floats(a)) mixed[name] = tf.add(tf.mul(a[name], lambda), tf.mul(moved[name], 1 - lambda));
    return crossEntropy(plugin.apply(config, mixed, x, { train: true }).logits, y);
  };
  const heldOutBatches = minibatches(heldOut, batchSize).map(batchTensors);
  const midpointLoss = (): number =>
    tf.tidy(() => {
      const matrices = hardMatrices(groups);
      const losses = heldOutBatches.map(({ x, y }) => interpolatedLoss(0.5, matrices, x, y).dataSync()[0]);
      return losses.reduce((s, v) => s + v, 0) / losses.length;
    });
  let best = { loss: midpointLoss(), element: elementOf(spec, groups), step: 0 };
  let stale = 0;
  try {
    let queue: Int32Array[] = [];
    for (let step = 1; step <= steps; step++) {
      if (queue.length === 0)
        queue = minibatches(split.count - heldOut, batchSize, rng.fork(`epoch ${step}`)).map((ix) =>
          ix.map((i) => i + heldOut),
        );
      const { x, y } = batchTensors(queue.shift()!);
      const lambda = 0.4 + 0.2 * rng.next();
      const offsets = straightThroughOffsets(groups);
      const loss = optimizer.minimize(
        () => tf.tidy(() => interpolatedLoss(lambda, softMatrices(groups, offsets), x, y)),
        groups.map((g) => g.latent),
      );
      const value = loss.dataSync()[0];
      [loss, x, y, ...Object.values(offsets)].forEach((t) => t.dispose());
      if (step % evaluateEvery === 0 || step === steps) {
        const held = midpointLoss();
        if (held < best.loss - 1e-6) {
          best = { loss: held, element: elementOf(spec, groups), step };
          stale = 0;
        } else if (++stale >= patience) break;
      }
      context.progress?.({
        task: 'learned matching',
        done: step,
        total: steps,
        info: `loss ${value.toFixed(4)}, held-out midpoint ${best.loss.toFixed(4)} (step ${best.step})`,
      });
    }
    const element = compose(spec, start.element, best.element);
    return {
      element,
      objectiveBefore: start.objectiveBefore,
      objectiveAfter: objectiveAt(spec, a, b, element),
      iterations: start.iterations,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    optimizer.dispose();
    disposeParams(aligned);
    for (const g of groups) g.latent.dispose();
    for (const { x, y } of heldOutBatches) [x, y].forEach((t) => t.dispose());
  }
}

/** The groups to learn, with their latents at weight matching's answer (S = 0, Z = I + noise). */
function learnedGroups(
  spec: SymmetrySpec,
  names: readonly string[],
  permutationsOnly: boolean,
  rng: Rng,
): LearnedGroup[] {
  return names.flatMap((name): LearnedGroup[] => {
    const decl = spec.groups[name];
    const n = decl.size;
    if (decl.batchedOver !== undefined) {
      if (isPermutationKind(decl.kind)) return [];
      const units = spec.groups[decl.batchedOver].size;
      const latent = tf.variable(tf.zeros([units, n, n]), true, `learned/${name}`);
      return [{ name, n, blockSize: units, kind: 'per-unit', latent }];
    }
    if (decl.kind === 'invertible') return [];
    const blockSize = decl.kind === 'block-permutation' ? decl.blockSize : 1;
    if (decl.kind === 'orthogonal' && !permutationsOnly) {
      return [
        { name, n, blockSize, kind: 'orthogonal', latent: tf.variable(tf.zeros([n, n]), true, `learned/${name}`) },
      ];
    }
    const noise = tf.tensor2d(rng.fork(name).normalArray(n * n, 0.01), [n, n]);
    const latent = tf.variable(tf.add(tf.eye(n), noise), true, `learned/${name}`);
    noise.dispose();
    return [{ name, n, blockSize, kind: 'permutation', latent }];
  });
}

/** The hard assignment of each permutation latent: perm[i] = the column row i takes. */
function assignmentOf(group: LearnedGroup): Int32Array {
  const scores = group.latent.dataSync() as Float32Array;
  return solveAssignment(scores, group.n, group.n, { maximize: true }).colForRow;
}

/**
 * For each permutation latent Z, the constant P − Z where P is Z's hard assignment as a matrix:
 * Z + (P − Z) has P's value and Z's gradient (the straight-through estimator).
 */
function straightThroughOffsets(groups: readonly LearnedGroup[]): Record<string, tf.Tensor2D> {
  const out: Record<string, tf.Tensor2D> = {};
  for (const g of groups) {
    if (g.kind !== 'permutation') continue;
    const hard = permutationMatrix(assignmentOf(g));
    out[g.name] = tf.tidy(() => tf.sub(tf.tensor2d(Float32Array.from(hard.data), [g.n, g.n]), g.latent));
  }
  return out;
}

/** Each group's matrix on the whole axis, differentiable in the latents. */
function softMatrices(
  groups: readonly LearnedGroup[],
  offsets: Record<string, tf.Tensor2D>,
): Record<string, tf.Tensor2D> {
  const out: Record<string, tf.Tensor2D> = {};
  for (const g of groups) {
    if (g.kind === 'per-unit') out[g.name] = blockDiagonal(skewExponential(g.latent as tf.Tensor3D));
    else {
      out[g.name] = (
        g.kind === 'orthogonal' ? skewExponential(g.latent as tf.Tensor2D) : tf.add(g.latent, offsets[g.name])
      ) as tf.Tensor2D;
    }
  }
  return out;
}

/** Each group's current matrix without gradients: exp(S), or the hard assignment. */
function hardMatrices(groups: readonly LearnedGroup[]): Record<string, tf.Tensor2D> {
  const out: Record<string, tf.Tensor2D> = {};
  for (const g of groups) {
    if (g.kind === 'per-unit') {
      out[g.name] = blockDiagonal(skewExponential(g.latent as tf.Tensor3D));
      continue;
    }
    out[g.name] =
      g.kind === 'orthogonal'
        ? skewExponential(g.latent as tf.Tensor2D)
        : tf.tensor2d(Float32Array.from(permutationMatrix(assignmentOf(g)).data), [g.n, g.n]);
  }
  return out;
}

/** The learned groups' current element (orthogonal maps re-orthogonalised in float64 by their polar factor). */
function elementOf(spec: SymmetrySpec, groups: readonly LearnedGroup[]): GroupElement {
  const element = identity(spec);
  for (const g of groups) {
    const decl = spec.groups[g.name];
    if (g.kind === 'per-unit') {
      const maps = tf.tidy(() => skewExponential(g.latent as tf.Tensor3D).dataSync());
      const items = Array.from({ length: g.blockSize }, (_, u) => {
        const data = Float64Array.from(maps.subarray(u * g.n * g.n, (u + 1) * g.n * g.n));
        return { kind: 'matrix' as const, matrix: polarFactor({ n: g.n, data }) };
      });
      element[g.name] = { kind: 'batched', items };
    } else if (g.kind === 'orthogonal') {
      const m = tf.tidy(() => skewExponential(g.latent as tf.Tensor2D).dataSync());
      element[g.name] = { kind: 'matrix', matrix: polarFactor({ n: g.n, data: Float64Array.from(m) }) };
    } else {
      const perm = assignmentOf(g);
      element[g.name] = isPermutationKind(decl.kind)
        ? { kind: 'permutation', perm }
        : { kind: 'matrix', matrix: permutationMatrix(perm) };
    }
  }
  return element;
}

/**
 * exp(S − Sᵀ) for a latent S (or a batch of them, [units, n, n]): an orthogonal matrix, by
 * scaling (2⁻⁶), a degree-8 Taylor series and six squarings: only matrix products, so tfjs
 * differentiates it. Exact to float32 rounding for ‖S‖ up to tens.
 */
function skewExponential<T extends tf.Tensor2D | tf.Tensor3D>(latent: T): T {
  const n = latent.shape[latent.rank - 1];
  const swap = latent.rank === 2 ? [1, 0] : [0, 2, 1];
  const skew = tf.mul(tf.sub(latent, tf.transpose(latent, swap)), 1 / 64) as T;
  const identityMatrix = tf.add(tf.zerosLike(latent), tf.eye(n)) as T;
  let term = identityMatrix;
  let sum = identityMatrix;
  for (let k = 1; k <= 8; k++) {
    term = tf.div(tf.matMul(term, skew), k) as T;
    sum = tf.add(sum, term) as T;
  }
  for (let s = 0; s < 6; s++) sum = tf.matMul(sum, sum) as T;
  return sum;
}

/** The block-diagonal matrix of per-unit maps [units, k, k]: unit u's map on entries u·k … u·k + k − 1. */
function blockDiagonal(maps: tf.Tensor3D): tf.Tensor2D {
  const [units, k] = maps.shape;
  return tf
    .mul(maps.reshape([units, k, 1, k]), tf.eye(units).reshape([units, 1, units, 1]))
    .reshape([units * k, units * k]);
}

/** A block permutation's matrix on an axis of n·k entries: P ⊗ I_k. */
function blockExpanded(m: tf.Tensor2D, k: number): tf.Tensor2D {
  if (k === 1) return m;
  const n = m.shape[0];
  return tf.mul(m.reshape([n, 1, n, 1]), tf.eye(k).reshape([1, k, 1, k])).reshape([n * k, n * k]);
}

/**
 * `transform` for groups given as dense matrices (differentiable): every action of group g
 * multiplies its axis (or segment) by g's matrix M. That is the action for orthogonal and
 * permutation matrices, for which M⁻ᵀ = M; a block permutation's n×n matrix P acts as P ⊗ I_k on
 * an axis of n·k entries and as P on one of n (one entry per block). Groups not in `matrices` are
 * left alone; parameters they do not touch are shared.
 */
export function transformByMatrices(params: Params, spec: SymmetrySpec, matrices: Record<string, tf.Tensor2D>): Params {
  const out: Params = {};
  // Per-unit maps (groups batched over another) act first, in the layout B is stored in; then the
  // groups that move the units.
  const batched = (action: AxisAction) => spec.groups[action.group].batchedOver !== undefined;
  // A block permutation's P ⊗ I_k, formed once per call for all the axes it acts on.
  const expanded = new Map<string, tf.Tensor2D>();
  const expandedOf = (group: string): tf.Tensor2D => {
    const decl = spec.groups[group];
    if (!expanded.has(group))
      expanded.set(group, blockExpanded(matrices[group], decl.kind === 'block-permutation' ? decl.blockSize : 1));
    return expanded.get(group)!;
  };
  for (const [name, tensor] of Object.entries(params)) {
    let x = tensor;
    for (const first of [true, false]) {
      (spec.axes[name] ?? []).forEach((actions, axis) => {
        for (const action of actions ?? []) {
          const m = matrices[action.group];
          if (!m || batched(action) !== first) continue;
          x = onSegment(x, axis, action.segment, (part) => alongAxis(part, axis, m, () => expandedOf(action.group)));
        }
      });
    }
    out[name] = x;
  }
  return out;
}

/**
 * new[…, i, …] = Σ_j M[i, j]·old[…, j, …] along `axis`; on an axis of n·k entries, the expanded
 * M ⊗ I_k that `expanded` gives (the same M for k = 1).
 */
function alongAxis(x: tf.Tensor, axis: number, m: tf.Tensor2D, expanded: () => tf.Tensor2D): tf.Tensor {
  const n = m.shape[0];
  if (x.shape[axis] === n) return matMulAlongAxis(x, axis, m);
  const big = expanded();
  if (big.shape[0] === x.shape[axis]) return matMulAlongAxis(x, axis, big);
  throw new Error(`a learned map of ${n} entries cannot act on an axis of ${x.shape[axis]}`);
}

/**
 * Learned matching as a registered matcher (`--method learned`): needs the training data; learns
 * the stream's orthogonal map and the permutations on top of weight matching.
 */
export const learnedMatchingMatcher: Matcher = {
  id: 'learned',
  description:
    'Learned matching: weight matching, then the interpolated model’s training loss minimised over orthogonal maps and permutations (Theus et al.)',
  paper: 'Theus et al. 2025, Generalized Linear Mode Connectivity for Transformers (arXiv:2506.22712)',
  kinds: ['permutation', 'block-permutation', 'orthogonal', 'invertible'],
  batched: true,
  needsData: true,
  handles: weightMatchable,
  options: { terms: termsOption },
  match: learnedMatching,
};
