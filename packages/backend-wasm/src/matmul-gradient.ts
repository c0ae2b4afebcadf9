import * as tf from '@tensorflow/tfjs';

/**
 * Re-registers the BatchMatMul gradient so that it also handles an operand broadcast over the batch
 * (tfjs's own gradient rejects one) and, with `explicitTransposes`, computes the transposed products
 * as a transpose followed by a plain matMul instead of through matMul's transpose flags. The second
 * is for a wasm backend whose flagged matMul is XNNPACK's, 15–50× slower than a plain one (it
 * made MLP training ~7× slower); weightspace's own wasm matMul kernel takes the flags for free.
 *
 * y = op(a)·op(b), op = identity or transpose per flag:
 *   plain:       da = dy·bᵀ   db = aᵀ·dy
 *   b flagged:   da = dy·b    db = dyᵀ·a
 *   a flagged:   da = b·dyᵀ   db = a·dy
 *   both:        da = bᵀ·dyᵀ  db = dyᵀ·aᵀ
 */
export function installMatMulGradient(explicitTransposes: boolean): void {
  // product(x, y, tx, ty) = op(x)·op(y), through flags or explicit transposes.
  const product = (x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean): tf.Tensor =>
    explicitTransposes ? tf.matMul(tx ? swapLastTwo(x) : x, ty ? swapLastTwo(y) : y) : tf.matMul(x, y, tx, ty);
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const transposeA = attrs.transposeA as boolean;
      const transposeB = attrs.transposeB as boolean;
      const g = dy as tf.Tensor;
      let da: () => tf.Tensor;
      let db: () => tf.Tensor;
      if (!transposeA && !transposeB) {
        da = () => product(g, b, false, true);
        db = () => product(a, g, true, false);
      } else if (!transposeA && transposeB) {
        da = () => product(g, b, false, false);
        db = () => product(g, a, true, false);
      } else if (transposeA && !transposeB) {
        da = () => product(b, g, false, true);
        db = () => product(a, g, false, false);
      } else {
        da = () => product(b, g, true, true);
        db = () => product(g, a, true, true);
      }
      return { a: () => sumToShape(da(), a.shape), b: () => sumToShape(db(), b.shape) };
    },
  });
}

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const order = Array.from({ length: x.rank }, (_, i) => i);
  [order[x.rank - 2], order[x.rank - 1]] = [order[x.rank - 1], order[x.rank - 2]];
  return tf.transpose(x, order);
}

/** Sums the broadcast batch axes of a gradient away so it matches its input's shape. */
function sumToShape(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (grad.shape.length === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const extra = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank - 2; i++) {
    const inputDim = i - extra >= 0 ? shape[i - extra] : 1;
    if (i < extra || (inputDim === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? tf.sum(grad, axes, true) : grad;
  return summed.reshape(shape);
}
