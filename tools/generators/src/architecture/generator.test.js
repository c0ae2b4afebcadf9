// The generator end to end, as a plugin author runs it: in a temporary copy of the repository,
// `nx g @weightspace/tools:architecture tiny-net`, then the module boundaries, the build,
// `weightspace list`, and the tests of the new package and of the conformance suite on it.
'use strict';
const { execFileSync } = require('node:child_process');
const {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const repository = path.resolve(__dirname, '..', '..', '..', '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' };

/** The repository's files (tracked and untracked, not ignored) in a fresh folder, with node_modules linked in. */
function copyOfRepository() {
  const copy = path.join(mkdtempSync(path.join(tmpdir(), 'ws-generator-')), 'repo');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repository,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(path.join(repository, f)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    cpSync(path.join(repository, file), path.join(copy, file));
  }
  // Third-party packages from the original; the workspace's own packages point into the copy.
  const modules = path.join(copy, 'node_modules');
  mkdirSync(path.join(modules, '@weightspace'), { recursive: true });
  for (const entry of readdirSync(path.join(repository, 'node_modules'))) {
    if (entry !== '@weightspace') symlinkSync(path.join(repository, 'node_modules', entry), path.join(modules, entry));
  }
  for (const link of readdirSync(path.join(repository, 'node_modules', '@weightspace'))) {
    const target = path.relative(
      path.join(repository, 'node_modules', '@weightspace'),
      realpathSync(path.join(repository, 'node_modules', '@weightspace', link)),
    );
    symlinkSync(target, path.join(modules, '@weightspace', link));
  }
  return copy;
}

/** Runs a command in `cwd`; a failure carries what the command printed (tsc reports on stdout). */
function run(cwd, command, args) {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`${[command, ...args].join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** `nx g @weightspace/tools:architecture <name>` in `cwd`, without prompts. */
const generate = (cwd, name) =>
  run(cwd, process.execPath, [
    'node_modules/nx/dist/bin/nx.js',
    'g',
    '@weightspace/tools:architecture',
    name,
    '--no-interactive',
  ]);

describe('nx g @weightspace/tools:architecture', () => {
  let copy;
  beforeAll(() => {
    copy = copyOfRepository();
    generate(copy, 'tiny-net');
  }, 120000);

  it('writes the package, registers it in the CLI and the build, and links it', () => {
    const root = path.join(copy, 'packages', 'arch-tiny-net');
    for (const file of [
      'package.json',
      'tsconfig.json',
      'jest.config.js',
      'README.md',
      'src/index.ts',
      'src/tiny-net.ts',
      'src/tiny-net-config.ts',
      'src/tiny-net-symmetry.ts',
      'src/tiny-net-module.ts',
      'src/tiny-net.test.ts',
    ]) {
      expect([file, existsSync(path.join(root, file))]).toEqual([file, true]);
    }
    expect(readFileSync(path.join(copy, 'tools/cli/src/modules.ts'), 'utf8')).toMatch(
      /import \{ archTinyNetModule \} from '@weightspace\/arch-tiny-net';[\s\S]*archTinyNetModule,\n\];/,
    );
    expect(
      JSON.parse(readFileSync(path.join(copy, 'tools/cli/package.json'), 'utf8')).dependencies[
        '@weightspace/arch-tiny-net'
      ],
    ).toBe('0.1.0');
    expect(JSON.parse(readFileSync(path.join(copy, 'tsconfig.build.json'), 'utf8')).references).toContainEqual({
      path: 'packages/arch-tiny-net',
    });
    expect(existsSync(path.join(copy, 'node_modules/@weightspace/arch-tiny-net/package.json'))).toBe(true);
    expect(run(copy, process.execPath, ['tools/scripts/check-boundaries.js'])).toContain('module boundaries: ok');
  });

  it('builds, and `weightspace list` shows the new architecture', () => {
    run(copy, process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json']);
    expect(run(copy, process.execPath, ['tools/cli/dist/main.js', 'list'])).toMatch(/^\s+tiny-net\s/m);
  }, 240000);

  it('passes its own tests and the conformance suite', () => {
    const jest = path.join(copy, 'node_modules', 'jest', 'bin', 'jest.js');
    const results = (cwd, ...args) => JSON.parse(run(cwd, process.execPath, [jest, '--ci', '--json', ...args]));
    const own = results(path.join(copy, 'packages', 'arch-tiny-net'));
    expect([own.numFailedTests, own.numPassedTests]).toEqual([0, 3]);
    const conformance = results(
      copy,
      '-c',
      'tools/cli/jest.config.js',
      'tools/cli/src/conformance.test.ts',
      '-t',
      'tiny-net',
    );
    expect(conformance.numFailedTests).toBe(0);
    // Two example configs, each checked for at least the six facts every architecture must show.
    expect(conformance.numPassedTests).toBeGreaterThanOrEqual(12);
  }, 240000);

  it('refuses a name that is not lower case with dashes, or one that exists', () => {
    expect(() => generate(copy, 'Tiny_Net')).toThrow(/'Tiny_Net' should match the pattern/);
    expect(() => generate(copy, 'tiny-net')).toThrow(/exists already/);
  });
});
