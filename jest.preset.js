// Shared jest settings: TypeScript through swc (no type-check here: `npm test` type-checks first),
// and every workspace package (packages/*, tools/*) resolved to its sources so tests never need a
// build. Packages are found on disk, so a new one needs no entry here.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const moduleNameMapper = {};
for (const base of ['packages', 'tools']) {
  for (const dir of readdirSync(path.join(__dirname, base))) {
    const manifest = path.join(__dirname, base, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (name && name.startsWith('@weightspace/')) {
      moduleNameMapper[`^${name}$`] = path.join(__dirname, base, dir, 'src/index.ts');
    }
  }
}

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper,
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  testTimeout: 120000,
  reporters: ['default', path.join(__dirname, 'tools/scripts/skipped-reporter.js')],
};
