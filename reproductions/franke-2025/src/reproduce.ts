#!/usr/bin/env node
/**
 * Reproduction: merging many MNIST MLPs (Franke et al. 2025 against Git Re-Basin's MergeMany), as a
 * sweep (`sweeps/default.json`, `full.json`, `smoke.json`).
 *
 * Trains N MLPs 784-512-512-10 from seeds 0..N-1 (N = 8; 16 with --full), merges the first 2, 4, 8
 * (and 16) by naive averaging, MergeMany and hierarchical re-basin (weight matching), and measures
 * each merged model and each base model: clean accuracy on the test set; FGSM, PGD-10 (ε = 0.05,
 * 0.1) and Gaussian-noise (σ = 0.1, 0.3) accuracy on the first 2,000 test images (all with --full);
 * weight L2 norm; Lipschitz upper bound. The analysis writes table.md, merge.svg and
 * reproduction.json beside the sweep's store. A killed run resumes.
 *
 * Usage: npx nx run franke-2025:reproduce [-- --full | --smoke] [--out reports/franke-2025]
 *        [--jobs 2] [--queue postgres://…] [--backend wasm]
 */
import { reproductionMain } from '@weightspace/cli';
import { join } from 'node:path';
import { franke2025Analysis } from './analysis';

reproductionMain({
  name: 'franke-2025',
  sweeps: join(__dirname, '..', 'sweeps'),
  defaultOut: 'reports/franke-2025',
  analyse: franke2025Analysis,
});
