// Shared jest settings: TypeScript through swc (no type-check here: `npm test` type-checks first),
// and workspace packages resolved to their sources so tests never need a build.
const path = require('node:path');

const workspacePackages = {
  core: 'packages/core',
  'reduced-symmetry': 'packages/reduced-symmetry',
  'arch-mlp': 'packages/arch-mlp',
  'arch-resnet': 'packages/arch-resnet',
  'arch-transformer': 'packages/arch-transformer',
  'arch-moe': 'packages/arch-moe',
};

const moduleNameMapper = {};
for (const [name, dir] of Object.entries(workspacePackages)) {
  moduleNameMapper[`^@weightspace/${name}$`] = path.join(__dirname, dir, 'src/index.ts');
}

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper,
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  testTimeout: 120000,
  reporters: ['default', path.join(__dirname, 'tools/scripts/skipped-reporter.js')],
};
