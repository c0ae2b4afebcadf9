import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The module-boundary check is a plain script (it runs before the build); its logic is tested here.
const { check } = require('../../scripts/check-boundaries.js') as { check: (root: string) => string[] };

function workspace(packages: Record<string, { tag: string; deps?: string[]; source?: string }>): string {
  const root = mkdtempSync(join(tmpdir(), 'boundaries-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ workspaces: ['packages/*'] }));
  for (const [dir, p] of Object.entries(packages)) {
    mkdirSync(join(root, 'packages', dir, 'src'), { recursive: true });
    const deps = Object.fromEntries((p.deps ?? []).map((d) => [d, '0.1.0']));
    writeFileSync(
      join(root, 'packages', dir, 'package.json'),
      JSON.stringify({ name: `@weightspace/${dir}`, dependencies: deps, nx: { tags: [p.tag] } }),
    );
    writeFileSync(join(root, 'packages', dir, 'src', 'index.ts'), p.source ?? '');
  }
  return root;
}

// Spelled apart so that the scan of this file does not read the fixture as imports of its own.
const scope = '@weightspace';

describe('module boundaries', () => {
  it('hold in this repository', () => {
    expect(check(resolve(__dirname, '..', '..', '..'))).toEqual([]);
  });

  it('name an architecture that imports another, a deep import, and a core that depends upward', () => {
    const root = workspace({
      core: { tag: 'scope:core', deps: ['@weightspace/arch-a'] },
      'arch-a': {
        tag: 'scope:arch',
        deps: ['@weightspace/core'],
        source: `import { x } from '${scope}/arch-b';\nimport { y } from '${scope}/core/src/y';\n`,
      },
      'arch-b': { tag: 'scope:arch', deps: ['@weightspace/core'] },
    });
    const problems = check(root);
    expect(problems).toContain(
      'packages/core/package.json: scope:core may not depend on @weightspace/arch-a (scope:arch)',
    );
    expect(problems).toContain(
      'packages/arch-a/src/index.ts: scope:arch may not import @weightspace/arch-b (scope:arch)',
    );
    expect(problems).toContain(
      "packages/arch-a/src/index.ts: deep import '@weightspace/core/src/y' (import '@weightspace/core' instead)",
    );
    expect(problems).toHaveLength(3);
  });
});
