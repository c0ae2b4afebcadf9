#!/usr/bin/env node
/**
 * Reproduction: linear mode connectivity of Mixture-of-Experts layers (Tran et al. 2025) on MNIST
 * MLPs, as a sweep (`sweeps/default.json`, `full.json`, `smoke.json`).
 *
 * The paper's protocol at small scale: a dense model (one expert) is trained once; every MoE model
 * reuses its trunk and head (`spawn` with a parent of another config: `train --warm-start`), starts
 * its gate and experts from its own seed, and is fine-tuned. For dense, top-2 and top-2 + one shared
 * expert gating with 2, 4 and 8 experts, seed pairs 1/2, 3/4, 5/6: the test-loss barrier of naive
 * interpolation, the expert order only, the hidden units only, and the two-stage method with the
 * gate cost and the Gram cost (`align --method moe --matcher-option …`); for 4 experts, the barrier
 * of all 24 expert orders (`--brute-force`), the chosen order's rank and L̃. The analysis writes
 * table.md, moe.svg and reproduction.json beside the sweep's store. A killed run resumes.
 *
 * Usage: npx nx run tran-2025:reproduce [-- --full | --smoke] [--out reports/tran-2025] [--jobs 2]
 *        [--queue postgres://…] [--backend wasm]
 */
import { reproductionMain } from '@weightspace/cli';
import { join } from 'node:path';
import { tran2025Analysis } from './analysis';

reproductionMain({
  name: 'tran-2025',
  sweeps: join(__dirname, '..', 'sweeps'),
  defaultOut: 'reports/tran-2025',
  analyse: tran2025Analysis,
});
