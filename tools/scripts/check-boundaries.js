#!/usr/bin/env node
// Enforces the one-way dependency direction between workspace projects using their nx tags:
//   base (wasm-encoder, assignment) ← core ← (backends, layers, reduced-symmetry) ← arch-* ← tools
//   ← reproductions (a reproduction is a sweep, and the sweep engine is the CLI's).
// A project may import (and declare as a dependency) only the workspace packages its tag allows,
// and only through their public entry point. Test files may also import a backend package (tests
// pick a fast backend), declared under devDependencies. Base packages use no tfjs at all: they are
// usable on their own. Exits 1 listing every violation, naming the file and the import.
'use strict';
const { readFileSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const ALLOWED = {
  'scope:base': ['scope:base'],
  'scope:core': ['scope:base'],
  'scope:backend': ['scope:core', 'scope:base'],
  'scope:layers': ['scope:core'],
  'scope:reduced-symmetry': ['scope:core'],
  'scope:arch': ['scope:core', 'scope:layers', 'scope:reduced-symmetry'],
  'scope:tool': ['scope:base', 'scope:core', 'scope:backend', 'scope:layers', 'scope:reduced-symmetry', 'scope:arch'],
  'scope:reproduction': [
    'scope:base',
    'scope:core',
    'scope:backend',
    'scope:layers',
    'scope:reduced-symmetry',
    'scope:arch',
    'scope:tool',
  ],
};

/** What test files may import besides what their project may: a backend to run on. */
const TEST_ALLOWED = ['scope:backend'];

/** Third-party packages a scope must not use: base packages no tfjs, core no backend of tfjs's. */
const FORBIDDEN_THIRD_PARTY = {
  'scope:base': /^@tensorflow\//,
  'scope:core': /^(@tensorflow\/tfjs-backend-(wasm|webgpu)|webgpu)(\/|$)/,
};

function projects(root) {
  const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
  const dirs = workspaces.flatMap((pattern) => {
    const base = pattern.replace(/\/\*$/, '');
    return readdirSync(join(root, base)).map((d) => join(base, d));
  });
  return dirs
    .filter((d) => {
      try {
        return statSync(join(root, d, 'package.json')).isFile();
      } catch {
        return false;
      }
    })
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      const tags = (pkg.nx && pkg.nx.tags) || [];
      return {
        dir,
        name: pkg.name,
        scope: tags.find((t) => t.startsWith('scope:')),
        deps: Object.keys(pkg.dependencies || {}),
        devDeps: Object.keys(pkg.devDependencies || {}),
      };
    });
}

function sourceFiles(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(sourceFiles(p));
    else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const isTestFile = (file) => /\.test\.ts$/.test(file);

function check(root) {
  const all = projects(root);
  const byName = new Map(all.map((p) => [p.name, p]));
  const problems = [];
  for (const project of all) {
    if (!project.scope) {
      if (project.name.startsWith('@weightspace/'))
        problems.push(`${project.dir}/package.json: no scope:* tag in nx.tags`);
      continue;
    }
    if (!ALLOWED[project.scope]) {
      problems.push(`${project.dir}/package.json: unknown tag ${project.scope}`);
      continue;
    }
    const allowed = ALLOWED[project.scope];
    const permits = (name, scopes) => {
      const target = byName.get(name);
      return !target || target === project || scopes.includes(target.scope);
    };
    const forbidden = FORBIDDEN_THIRD_PARTY[project.scope];
    for (const dep of project.deps) {
      if (!permits(dep, allowed))
        problems.push(
          `${project.dir}/package.json: ${project.scope} may not depend on ${dep} (${byName.get(dep).scope})`,
        );
      if (forbidden && forbidden.test(dep))
        problems.push(`${project.dir}/package.json: ${project.scope} may not depend on ${dep}`);
    }
    for (const dep of project.devDeps) {
      if (!permits(dep, [...allowed, ...TEST_ALLOWED]))
        problems.push(
          `${project.dir}/package.json: ${project.scope} may not depend on ${dep} (${byName.get(dep).scope}), even for tests`,
        );
    }
    for (const file of sourceFiles(join(root, project.dir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const where = relative(root, file);
      const scopes = isTestFile(file) ? [...allowed, ...TEST_ALLOWED] : allowed;
      for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]((?:@[\w.-]+\/)?[\w.-][^'"]*)['"]/g)) {
        const spec = m[1];
        if (forbidden && forbidden.test(spec)) problems.push(`${where}: ${project.scope} may not import ${spec}`);
        if (!spec.startsWith('@weightspace/')) continue;
        const name = spec.split('/').slice(0, 2).join('/');
        if (spec !== name) problems.push(`${where}: deep import '${spec}' (import '${name}' instead)`);
        if (!permits(name, scopes))
          problems.push(`${where}: ${project.scope} may not import ${name} (${byName.get(name).scope})`);
        else if (isTestFile(file) && !permits(name, allowed) && !project.devDeps.includes(name)) {
          problems.push(
            `${where}: imports ${name}, which ${project.dir}/package.json does not list in devDependencies`,
          );
        }
      }
    }
  }
  return problems;
}

module.exports = { check, ALLOWED };

if (require.main === module) {
  const problems = check(process.argv[2] || join(__dirname, '..', '..'));
  if (problems.length) {
    console.error(`module boundaries: ${problems.length} violation(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log('module boundaries: ok');
}
