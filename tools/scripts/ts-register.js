// Lets Node require this workspace's TypeScript sources directly: '.ts' files are compiled on the
// fly by swc, and '@weightspace/<pkg>' resolves to the package's src/index.ts. For code that tests
// run in a fresh process or worker thread, so it runs the same sources as the test, without a build.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const m = /^@weightspace\/([a-z-]+)$/.exec(request);
  if (m) {
    const dir = fs.existsSync(path.join(root, 'packages', m[1])) ? 'packages' : 'tools';
    return path.join(root, dir, m[1], 'src', 'index.ts');
  }
  return resolve.call(this, request, parent, ...rest);
};
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    module: { type: 'commonjs' },
    jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true } },
  });
  module._compile(code, filename);
};
