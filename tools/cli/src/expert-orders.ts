import { bruteForceExpertOrders, type BruteForceResult } from '@weightspace/arch-moe';
import { barrierCurve, EvaluationBatches, type GroupElement, type Params, type Split } from '@weightspace/core';
import type { LoadedModel } from './checkpoint';
import { progressBar } from './progress-bar';

/**
 * `align --brute-force`: the test-loss barrier (`points` points on `test`) of every order of the
 * model's experts against the order `chosen` has, each order with its own hidden-unit matching
 * and the other groups as chosen (see `bruteForceExpertOrders`).
 */
export function expertOrdersByBarrier(
  a: LoadedModel,
  b: Params,
  chosen: GroupElement,
  test: Split,
  points: number,
): BruteForceResult {
  const spec = a.plugin.symmetry(a.config);
  const batches = EvaluationBatches.forModel(test, a.plugin, a.config);
  const progress = progressBar();
  try {
    return bruteForceExpertOrders(
      spec,
      a.params,
      b,
      chosen,
      (moved) => barrierCurve(a.plugin, a.config, a.params, moved, batches, { points }).barriers.loss,
      (done, total) => progress({ task: 'expert orders', done, total }),
    );
  } finally {
    batches.dispose();
  }
}
