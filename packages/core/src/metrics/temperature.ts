/**
 * Temperature calibration: the inverse temperature β > 0 that minimises the mean cross-entropy of
 * softmax(β·logits) on given logits and labels. The loss is convex in β (a log-sum-exp of functions
 * linear in β, minus a linear term), so a golden-section search over log β finds the minimum.
 */
export function crossEntropyAt(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  beta: number,
): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const base = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, beta * logits[base + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(beta * logits[base + c] - max);
    total += max + Math.log(sum) - beta * logits[base + labels[i]];
  }
  return total / n;
}

/**
 * The inverse temperature β that minimises the cross-entropy of β·logits against the labels
 * (golden-section search).
 */
export function fitInverseTemperature(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  options: { min?: number; max?: number; iterations?: number } = {},
): { beta: number; loss: number } {
  let lo = Math.log(options.min ?? 1e-3);
  let hi = Math.log(options.max ?? 1e4);
  const f = (logBeta: number) => crossEntropyAt(logits, labels, classes, Math.exp(logBeta));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - ratio * (hi - lo);
  let x2 = lo + ratio * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let it = 0; it < (options.iterations ?? 60); it++) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = f(x2);
    }
  }
  const beta = Math.exp((lo + hi) / 2);
  return { beta, loss: crossEntropyAt(logits, labels, classes, beta) };
}
