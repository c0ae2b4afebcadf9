#!/usr/bin/env node
/**
 * Reproduction: width against permutations (Ito et al. 2025): do wide networks connect linearly
 * without any permutation once the softmax temperature is recalibrated? As a sweep
 * (`sweeps/default.json`, `full.json`, `smoke.json`).
 *
 * Bias-free ReLU MLPs 784-w-w-10 for w = 64·k, k ∈ {1, 2, 4, 8, 16}, two seeds each, trained with
 * SGD (momentum 0.9, lr 0.1, batch 512, 8 epochs by default) and weight decay 3e-3, with a 1e-4
 * control. For each width and decay, with no alignment (`weightspace lewc`): the accuracy barrier,
 * the raw and the temperature-calibrated loss barrier (one inverse temperature per point, fitted on
 * 5,000 training images) on a 5-point path over the 10,000 test images; LEWC at λ = ½ (cosine per
 * layer) and the reciprocal-orthogonality ratio per dense layer. The analysis writes table.md,
 * width.svg and reproduction.json beside the sweep's store. A killed run resumes.
 *
 * Usage: npx nx run ito-2025:reproduce [-- --full | --smoke] [--out reports/ito-2025]
 *        [--jobs 2] [--queue postgres://…] [--backend wasm]
 */
import { reproductionMain } from '@weightspace/cli';
import { join } from 'node:path';
import { ito2025Analysis } from './analysis';

reproductionMain({
  name: 'ito-2025',
  sweeps: join(__dirname, '..', 'sweeps'),
  defaultOut: 'reports/ito-2025',
  analyse: ito2025Analysis,
});
