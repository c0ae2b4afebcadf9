#!/usr/bin/env node
/**
 * Reproduction: layerwise linear feature connectivity on MNIST MLPs (Zhou et al. 2023), as a sweep
 * (`sweeps/default.json`, `full.json`, `smoke.json`).
 *
 * MLP 784-512-512-512-10, Adam 1e-3, batch 512. Three pairs:
 * - spawned: a parent trained 1 epoch (seed 10), forked into two children trained 5 more epochs
 *   with different data orders (seeds 11, 12);
 * - weight-matched: two independent 5-epoch runs (seeds 0, 1), B aligned to A by weight matching;
 * - naive: the same two runs, unaligned.
 * For each pair (`weightspace llfc` and `interpolate`): LLFC per layer at α ∈ {0.25, 0.5, 0.75} on
 * the 10,000 test images (Dis against the A-vs-B baseline, scale c, weak additivity,
 * commutativity) and the 11-point barrier curve. The analysis writes table.md, llfc.svg and
 * reproduction.json beside the sweep's store. A killed run resumes.
 *
 * Usage: npx nx run zhou-2023:reproduce [-- --smoke] [--out reports/zhou-2023] [--jobs 2]
 *        [--queue postgres://…] [--backend wasm]
 */
import { reproductionMain } from '@weightspace/cli';
import { join } from 'node:path';
import { zhou2023Analysis } from './analysis';

reproductionMain({
  name: 'zhou-2023',
  sweeps: join(__dirname, '..', 'sweeps'),
  defaultOut: 'reports/zhou-2023',
  analyse: zhou2023Analysis,
});
