#!/usr/bin/env node
import { runCli } from './cli';

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
