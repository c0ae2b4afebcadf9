import * as tf from '@tensorflow/tfjs';

/**
 * Re-registers the BatchMatMul gradient with explicit transposes instead of matMul's transpose
 * flags. The gradients are the same; on the wasm backend a flagged matMul is 15–50× slower than a
 * transpose followed by a plain matMul, which made MLP training ~7× slower.
 *
 * y = op(a)·op(b), op = identity or transpose per flag:
 *   plain:       da = dy·bᵀ   db = aᵀ·dy
 *   b flagged:   da = dy·b    db = dyᵀ·a
 *   a flagged:   da = b·dyᵀ   db = a·dy
 *   both:        da = bᵀ·dyᵀ  db = dyᵀ·aᵀ
 */
export function installTransposeFreeMatMulGradient(): void {
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const transposeA = attrs.transposeA as boolean;
      const transposeB = attrs.transposeB as boolean;
      const g = dy as tf.Tensor;
      const t = swapLastTwo;
      let da: () => tf.Tensor;
      let db: () => tf.Tensor;
      if (!transposeA && !transposeB) {
        da = () => tf.matMul(g, t(b));
        db = () => tf.matMul(t(a), g);
      } else if (!transposeA && transposeB) {
        da = () => tf.matMul(g, b);
        db = () => tf.matMul(t(g), a);
      } else if (transposeA && !transposeB) {
        da = () => tf.matMul(b, t(g));
        db = () => tf.matMul(a, g);
      } else {
        da = () => tf.matMul(t(b), t(g));
        db = () => tf.matMul(t(g), t(a));
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
