#!/usr/bin/env node
// The `weightspace` command as npm links it at install time: a committed launcher for the built
// CLI (npm links no bin whose target does not exist yet, and dist/ is built after `npm ci`).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('weightspace: the CLI is not built yet; run `npm run build` in the repository first\n');
  process.exit(2);
}
require(main);
