#!/usr/bin/env node
import { runCli } from './cli';

// A reader that stops early (`weightspace list | head -1`) closes stdout: that ends the output,
// quietly and successfully, as for any Unix filter. A pipe reports EPIPE; a socket pair (a
// parent process reading through `spawn`) may report ECONNRESET instead.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') throw e;
  process.exit(0);
});

// A job of a sweep runs in a process of its own; started with WEIGHTSPACE_EXIT_WITH_PARENT=1 it
// exits as soon as the process that started it is gone (it is then adopted by another parent):
// a killed worker leaves no orphan writing into the store while another worker reruns its job.
if (process.env.WEIGHTSPACE_EXIT_WITH_PARENT === '1') {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(129);
  }, 500).unref();
}

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
