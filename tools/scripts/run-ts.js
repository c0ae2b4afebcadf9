#!/usr/bin/env node
// Runs a TypeScript entry point of this workspace from its sources, as `node FILE.js ARGS` would
// run its build: `node tools/scripts/run-ts.js FILE.ts ARGS…`. process.argv is laid out as for the
// built script (argv[1] the file, then its arguments), so the script parses its own flags as usual.
// How tests run scripts and the processes they spawn without a build (see ts-register.js).
'use strict';
const path = require('node:path');

const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: run-ts.js FILE.ts [ARGS…]\n');
  process.exit(2);
}
require('./ts-register.js');
const entry = path.resolve(file);
process.argv = [process.argv[0], entry, ...args];
require(entry);
