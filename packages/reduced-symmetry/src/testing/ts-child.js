// Runs a TypeScript module of this workspace in a fresh Node process, from its sources (see
// tools/scripts/ts-register.js): how the cross-process tests run the same code as the test itself.
'use strict';
const path = require('node:path');
require(path.resolve(__dirname, '..', '..', '..', '..', 'tools', 'scripts', 'ts-register.js'));
require(path.resolve(process.argv[2]));
