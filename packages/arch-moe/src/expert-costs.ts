import * as tf from '@tensorflow/tfjs';
import type { Params } from '@weightspace/core';

/**
 * An expert group's tensors in the stacked view (experts on axis 0 of each), sorted by role:
 * the gate's (`prefix.gate.*`, compared after centring), the experts' tensors that carry the hidden
 * group (with the axis it acts on and whether as the output side 'g' or the input side), and the
 * experts' other tensors (the output bias).
 */
export interface ExpertTensors {
  gate: string[];
  hidden: Array<{ param: string; axis: number; side: 'output' | 'input' }>;
  rest: string[];
}

/** The values of the tensor `compute` makes (its intermediates released), as float64. */
function valuesOf(compute: () => tf.Tensor): Float64Array {
  const tensor = tf.tidy(compute);
  const values = Float64Array.from(tensor.dataSync());
  tensor.dispose();
  return values;
}

/** Squared Euclidean distances between the rows of x [n, r] and of y [n, r]: D[i, j] = ‖x_i − y_j‖². */
function squaredDistances(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  const xx = tf.sum(tf.square(x), 1, true);
  const yy = tf.sum(tf.square(y), 1, true).transpose();
  return tf.relu(tf.sub(tf.add(xx, yy), tf.mul(2, tf.matMul(x, y, false, true)))) as tf.Tensor2D;
}

/** Each expert's slice of `param` as one row [n, rest]. */
function rows(params: Params, param: string, n: number): tf.Tensor2D {
  return params[param].reshape([n, -1]);
}

/** Each expert's slice with its hidden units first: [n, units, rest]. */
function unitsFirstPerExpert(x: tf.Tensor, axis: number): tf.Tensor3D {
  const order = [0, axis, ...Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== 0 && i !== axis)];
  const moved = tf.transpose(x, order);
  return moved.reshape([x.shape[0], x.shape[axis], -1]);
}

/**
 * Tran et al.'s gate cost: C[i, j] = ‖W̄_i − W̄'_j‖² + (b̄_i − b̄'_j)², the gate rows of A's expert i
 * and B's expert j after subtracting each model's mean row (the common translation, which changes
 * no function, is removed). Returned row-major, n×n.
 */
export function gateCost(a: Params, b: Params, tensors: ExpertTensors, n: number): Float64Array {
  return valuesOf(() => {
    const centred = (p: Params) =>
      tf.concat(
        tensors.gate.map((param) => {
          const r = rows(p, param, n);
          return tf.sub(r, tf.mean(r, 0, true));
        }),
        1,
      ) as tf.Tensor2D;
    return squaredDistances(centred(a), centred(b));
  });
}

/**
 * Tran et al.'s hidden-order-invariant cost: per expert, the Gram matrices ĀᵀĀ of its output-side
 * tensors (fc1's weight and bias, hidden units as rows: Ā = [A, u]) and B̃ᵀB̃ of its input-side ones
 * (fc2's weight with hidden units as rows, B̃ = Bᵀ, so B̃ᵀB̃ = BBᵀ); C[i, j] = Σ ‖G_i − G'_j‖²_F, plus
 * ‖v_i − v'_j‖² for the experts' tensors no hidden unit carries (fc2's bias; the paper folds it into
 * the input-side Gram as vvᵀ instead). No permutation of an expert's hidden units changes any term.
 */
export function gramCost(a: Params, b: Params, tensors: ExpertTensors, n: number): Float64Array {
  return valuesOf(() => {
    const grams = (p: Params, side: 'output' | 'input'): tf.Tensor2D | undefined => {
      const parts = tensors.hidden.filter((t) => t.side === side).map((t) => unitsFirstPerExpert(p[t.param], t.axis));
      if (!parts.length) return undefined;
      const joined = tf.concat(parts, 2); // [n, units, rest]
      return tf.matMul(joined, joined, true, false).reshape([n, -1]);
    };
    let cost = tf.zeros([n, n]) as tf.Tensor2D;
    for (const side of ['output', 'input'] as const) {
      const [ga, gb] = [grams(a, side), grams(b, side)];
      if (ga && gb) cost = tf.add(cost, squaredDistances(ga, gb));
    }
    for (const param of tensors.rest) cost = tf.add(cost, squaredDistances(rows(a, param, n), rows(b, param, n)));
    return cost;
  });
}

/**
 * The similarity of A's expert i's hidden units to B's expert j's: S[u, v] = Σ over the tensors
 * carrying them of ⟨A_i's unit u, B_j's unit v⟩ (Git Re-Basin's weight matching for one hidden
 * layer, biases included). Row-major, units×units.
 */
export function hiddenSimilarity(a: Params, b: Params, tensors: ExpertTensors, i: number, j: number): Float64Array {
  return valuesOf(() => {
    const products = tensors.hidden.map(({ param, axis }) =>
      tf.matMul(unitsOfExpert(a[param], axis, i), unitsOfExpert(b[param], axis, j), false, true),
    );
    return tf.addN(products);
  });
}

/** Expert k's slice of a stacked tensor with its hidden units (on `axis` of the stack) as rows: [units, rest]. */
function unitsOfExpert(x: tf.Tensor, axis: number, k: number): tf.Tensor2D {
  const slice = x.gather([k]).squeeze([0]);
  const inner = axis - 1;
  const order = [inner, ...Array.from({ length: slice.rank }, (_, i) => i).filter((i) => i !== inner)];
  return (inner === 0 ? slice : tf.transpose(slice, order)).reshape([slice.shape[inner], -1]);
}
