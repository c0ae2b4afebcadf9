import {
  disposeParams,
  mnistDataset,
  type Params,
  type PermutationValue,
  type BatchedValue,
  restrictSpec,
  runMatcher,
  saveParams,
} from '@weightspace/core';
import { expertMatchingMatcher, moeMlp, type MoeMlpConfig } from '@weightspace/arch-moe';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchContext, trainPairRow } from './pair-training';
import { runReference } from './reference';
import type { Row } from './row';
import { ratio, timeMedian } from './stats';

/**
 * Mixture-of-Experts rows: training a pair of moe-mlps (784 → 128 → MoE of 4 experts × 64 hidden,
 * top-2 gating → 10; seeds 0 and 1; one pass over the first 8,192 MNIST images, batch 128, Adam
 * 1e-3), ours in two worker threads at once, PyTorch one after the other with two threads; and
 * Tran et al.'s two-stage matching of the trained pair (gate cost, then each expert pair's hidden
 * units), against the same two stages in NumPy/SciPy, which must find the same orders.
 */
export async function moeRows(context: BenchContext): Promise<Row[]> {
  const count = context.quick ? 1024 : 8192;
  const config: MoeMlpConfig = { input: 784, width: 128, experts: 4, expertWidth: 64, classes: 10, topK: 2 };
  const data = await mnistDataset.load({ trainLimit: count, testLimit: 1 });
  const [imageFile, labelFile] = [join(context.tmp, 'moe-images.f32'), join(context.tmp, 'moe-labels.i32')];
  writeFileSync(imageFile, data.train.x);
  writeFileSync(labelFile, data.train.y);
  const { row: training, trained } = await trainPairRow(context, moeMlp.id, config, data.train, 128, {
    name: `train moe-mlp pair (top-2 of 4 experts; 2 × ${count / 128} steps, batch 128)`,
    unit: 'samplesPerSecond',
    units: count,
    job: { task: 'train-moe-pair', images: imageFile, labels: labelFile, batch: 128, moe: config },
  });
  const matching = matchingRow(context, config, trained[0], trained[1]);
  trained.forEach(disposeParams);
  return [training, matching];
}

/** The two-stage matching of the trained pair, timed against reference.py's `moe-matching`. */
function matchingRow(context: BenchContext, config: MoeMlpConfig, a: Params, b: Params): Row {
  const spec = restrictSpec(moeMlp.symmetry(config), ['moe.experts', 'moe.experts.hidden']);
  let order: number[] = [];
  let hidden: number[][] = [];
  const time = timeMedian(() => {
    const { element } = runMatcher(expertMatchingMatcher, spec, a, b, { seed: 0 });
    order = Array.from((element['moe.experts'] as PermutationValue).perm);
    hidden = (element['moe.experts.hidden'] as BatchedValue).items.map((item) =>
      Array.from((item as PermutationValue).perm),
    );
  }, context.runs);
  const row: Row = {
    name: 'two-stage expert matching of the moe-mlp pair (gate cost, 4 experts × 64 hidden)',
    oursMs: time.ms,
    ratio: null,
    detail: { order, times: time.times },
  };
  if (context.reference) {
    const files = [join(context.tmp, 'moe-a.safetensors'), join(context.tmp, 'moe-b.safetensors')];
    saveParams(files[0], a);
    saveParams(files[1], b);
    const ref = runReference<{ ms: number; order: number[]; hidden: number[][] }>(
      { task: 'moe-matching', a: files[0], b: files[1], runs: context.runs },
      2,
    ).result;
    Object.assign(row, { referenceMs: ref.ms, ratio: ratio(time.ms, ref.ms) });
    row.detail = {
      ...row.detail,
      sameOrders:
        JSON.stringify(ref.order) === JSON.stringify(order) && JSON.stringify(ref.hidden) === JSON.stringify(hidden),
    };
  }
  return row;
}
