#!/usr/bin/env node
import { runCli } from './cli';

// A reader that stops early (`weightspace list | head -1`) closes stdout: that ends the output,
// quietly and successfully, as for any Unix filter. A pipe reports EPIPE; a socket pair (a
// parent process reading through `spawn`) may report ECONNRESET instead.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') throw e;
  process.exit(0);
});

runCli(process.argv.slice(2), {
  print: (line) => process.stdout.write(`${line}\n`),
  log: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`weightspace: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
