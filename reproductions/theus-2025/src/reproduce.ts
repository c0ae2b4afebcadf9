#!/usr/bin/env node
/**
 * Reproduction: generalized linear mode connectivity for transformers (Theus et al. 2025) at
 * small scale, as a sweep (`sweeps/default.json`, `full.json`, `smoke.json`).
 *
 * Two models per setting, seeds 0 and 1, trained with Adam 1e-3:
 * - gpt: a character GPT on Moby-Dick (2 blocks, d 64, 4 heads, MLP 256, LayerNorm, untied head,
 *   context 64), 4 epochs of the 16,738 training windows, batch 32 (2,096 steps);
 * - vit: a ViT on Fashion-MNIST (7×7 patches, 2 blocks, d 64, 4 heads, MLP 128, LayerNorm),
 *   8 epochs of the 60,000 training images, batch 128.
 * For each pair, the 25-point test-loss barrier of: vanilla averaging (as trained); activation
 * matching as trained; weight matching as trained (permutation stream); weight matching in the
 * canonical form with a permutation-only stream and with the orthogonal stream; learned matching
 * permutations-only and full (1,000 Adam steps at 0.003 on 5,000 training samples, batch 32), and
 * full with long training (every training sample, 4,000 steps at 0.001); with --full, weight and
 * learned matching in the circuit form (each head as its QK and OV circuits).
 * The width-heterogeneous pair (`configB`): A the GPT above (seed 0), B a GPT of half the width,
 * heads and MLP (seed 1), embedded into A's width, then vanilla averaging, weight matching and
 * learned matching (and the circuit form with --full). --full also trains a GPT and a ViT pair at
 * twice the width (d 128, MLP 512 and 256, 4 heads) and a GPT pair at four times (d 256, MLP 1,024,
 * 4 heads) for vanilla averaging, weight matching with the orthogonal stream and full learned
 * matching (the GPTs' also with long training). Each alignment is `weightspace align` with
 * the cell's `--form` and `--orthogonal-as`; each curve `weightspace interpolate`. The analysis
 * writes table.md, transformers.svg and reproduction.json beside the sweep's store.
 *
 * Usage: npx nx run theus-2025:reproduce [-- --full | --smoke] [--out reports/theus-2025]
 *        [--jobs 2] [--queue postgres://…] [--backend wasm]
 */
import { reproductionMain } from '@weightspace/cli';
import { join } from 'node:path';
import { theus2025Analysis } from './analysis';

reproductionMain({
  name: 'theus-2025',
  sweeps: join(__dirname, '..', 'sweeps'),
  defaultOut: 'reports/theus-2025',
  analyse: theus2025Analysis,
});
