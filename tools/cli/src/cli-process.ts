import { join } from 'node:path';

/** The script that runs a TypeScript entry point of this workspace from its sources. */
export const RUN_TS = join(__dirname, '..', '..', 'scripts', 'run-ts.js');

/**
 * How to start the `weightspace` CLI in a process of its own, as this module runs: its build
 * (dist/main.js), or its sources through run-ts.js (tests, which need no build). Spawn
 * `process.execPath` with these arguments followed by the command line.
 */
export const CLI_ARGV: readonly string[] = __filename.endsWith('.ts')
  ? [RUN_TS, join(__dirname, 'main.ts')]
  : [join(__dirname, 'main.js')];
