import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The code in the documentation compiles: every `@example` block of every package's sources, and
 * the TypeScript of the Getting started guide, type-checked against the packages as they are. The
 * thirty functions users call most document every parameter, their result and an example.
 */
const ROOT = join(__dirname, '..', '..', '..');
const OUT = join(ROOT, '.doc-examples');

const MOST_USED = [
  'train',
  'random',
  'disposeParams',
  'transform',
  'evaluate',
  'inverse',
  'identity',
  'compose',
  'barrierCurve',
  'llfc',
  'lewc',
  'robustness',
  'lerp',
  'saveParams',
  'loadParams',
  'linePlotSvg',
  'validateSpec',
  'weightMatching',
  'runPlan',
  'defaultPlan',
  'mergeMany',
  'resetBatchNorm',
  'repair',
  'validateAgainst',
  'writeFileAtomic',
  'withDirectoryLock',
  'activateBackend',
  'linearSumAssignment',
  'solveAssignment',
  'planAligner',
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

interface Example {
  where: string;
  code: string;
}

/** The `@example` blocks of a file, with the function each documents, and that function's comment. */
function examplesOf(file: string): Array<Example & { name: string; comment: string; returnsVoid: boolean }> {
  const text = readFileSync(file, 'utf8');
  const found: Array<Example & { name: string; comment: string; returnsVoid: boolean }> = [];
  for (const m of text.matchAll(
    /\/\*\*((?:(?!\*\/)[\s\S])*?@example(?:(?!\*\/)[\s\S])*?)\*\/\s*export (?:async )?(?:function|class|const) (\w+)/g,
  )) {
    const comment = m[1];
    const block = /@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/.exec(comment);
    if (!block) continue;
    const code = block[1]
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    // The declared result type: from the signature's closing parenthesis to its body.
    const after = text.slice((m.index ?? 0) + m[0].length);
    const result = /\)\s*:\s*([^{]*?)\s*\{/.exec(after)?.[1] ?? '';
    found.push({
      where: `${relative(ROOT, file)} (${m[2]})`,
      code,
      name: m[2],
      comment,
      returnsVoid: /^(Promise<)?void>?$/.test(result),
    });
  }
  return found;
}

const all = ['packages', 'tools'].flatMap((top) =>
  readdirSync(join(ROOT, top)).flatMap((pkg) => {
    const src = join(ROOT, top, pkg, 'src');
    try {
      return sources(src).flatMap(examplesOf);
    } catch {
      return [];
    }
  }),
);
const guide = readFileSync(join(ROOT, 'docs', 'guides', 'getting-started.md'), 'utf8');
const guideBlocks: Example[] = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m, k) => ({
  where: `docs/guides/getting-started.md (block ${k + 1})`,
  code: m[1],
}));

describe('documentation code', () => {
  it('the thirty most used functions document each parameter, the result and an example', () => {
    const byName = new Map(all.map((e) => [e.name, e]));
    const lacking = MOST_USED.flatMap((name) => {
      const e = byName.get(name);
      if (!e) return [`${name}: no @example`];
      return [
        ...(/@param /.test(e.comment) ? [] : [`${name}: no @param`]),
        ...(e.returnsVoid || /@returns /.test(e.comment) ? [] : [`${name}: no @returns`]),
      ];
    });
    expect(lacking).toEqual([]);
    expect(new Set(MOST_USED).size).toBe(30);
  });

  it('every example and the Getting started code type-check against the packages', () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const files = [...all, ...guideBlocks].map((e, k) => {
      const file = join(OUT, `example-${k}.ts`);
      // Each example is a module of its own (its imports and names do not meet the others').
      writeFileSync(file, `// ${e.where}\n${e.code}\nexport {};\n`);
      return { file, where: e.where };
    });
    writeFileSync(
      join(OUT, 'tsconfig.json'),
      JSON.stringify({ extends: '../tsconfig.test.json', include: ['*.ts', '../types/*.d.ts'] }),
    );
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', OUT], { encoding: 'utf8' });
    const errors = tsc.stdout
      .split('\n')
      .filter((l) => /error TS/.test(l))
      .map((l) => {
        const k = Number(/example-(\d+)\.ts/.exec(l)?.[1]);
        return `${files[k]?.where ?? '?'}: ${l.replace(/^.*?error /, 'error ')}`;
      });
    process.stdout.write(`documentation examples: ${files.length} type-checked, ${errors.length} errors\n`);
    expect(errors).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(31);
    rmSync(OUT, { recursive: true, force: true });
  }, 120_000);
});
