#!/usr/bin/env node
/**
 * Reproduction: linear mode connectivity without alignment in networks with reduced symmetry
 * (Lim et al. 2024) for the MNIST MLP, as a sweep (`sweeps/default.json`, `full.json`, `smoke.json`).
 *
 * Standard, W-asymmetric and σ-asymmetric (FiGLU) MLPs 784-w-w-w-10 with LayerNorm before each
 * activation, trained with the paper's optimiser (AdamW 1e-3, decoupled weight decay 0.03, batch
 * 64) scaled to the 60-minute budget: w = 256, 10 epochs, seed pairs 0/1, 2/3, 4/5 (--full: the
 * paper's w = 512, 25 epochs, five pairs). The masks and FiGLU matrices are shared by every model
 * (seed 0). For each pair: the 25-point interpolation as trained on the 10,000 test images
 * (midpoint and max loss barrier, accuracy barrier); for the standard nets also after weight
 * matching; and on the W-asymmetric pairs, weight matching under the standard MLP's permutations
 * (`align --arch mlp`), to see what it finds when run anyway. The analysis writes table.md,
 * asymmetric.svg and reproduction.json beside the sweep's store. A killed run resumes.
 *
 * Usage: npx nx run lim-2024:reproduce [-- --full | --smoke] [--out reports/lim-2024] [--jobs 2]
 *        [--queue postgres://…] [--backend wasm]
 */
import { reproductionMain } from '@weightspace/cli';
import { join } from 'node:path';
import { lim2024Analysis } from './analysis';

reproductionMain({
  name: 'lim-2024',
  sweeps: join(__dirname, '..', 'sweeps'),
  defaultOut: 'reports/lim-2024',
  analyse: lim2024Analysis,
});
