#!/usr/bin/env node
/**
 * Reproduction: aligning BatchNorm ResNets of growing width on Fashion-MNIST (Git Re-Basin's width
 * trend; BN reset and REPAIR), as a sweep (`sweeps/default.json`, `full.json`, `smoke.json`).
 *
 * For each width and each of naive, weight, activation and STE alignment: the midpoint and maximum
 * loss barriers and the accuracy barrier of the plain interpolation, after BN reset and after
 * REPAIR. The sweep trains, aligns and evaluates (on this machine, or through a PostgreSQL queue
 * with --queue); the analysis turns its rows into table.md, resnet-barriers.svg and
 * reproduction.json beside them. A killed run resumes: finished jobs are not run again.
 *
 * Usage: npx nx run git-rebasin:reproduce [-- --full | --smoke] [--out reports/git-rebasin]
 *        [--jobs 2] [--queue postgres://…] [--backend wasm]
 */
import { reproductionMain } from '@weightspace/cli';
import { join } from 'node:path';
import { resnetAnalysis } from './analysis';

reproductionMain({
  name: 'git-rebasin',
  sweeps: join(__dirname, '..', 'sweeps'),
  defaultOut: 'reports/git-rebasin',
  analyse: resnetAnalysis,
});
