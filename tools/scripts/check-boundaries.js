#!/usr/bin/env node
// Enforces the one-way dependency direction between workspace projects using their nx tags:
// core ← reduced-symmetry ← arch-* ← tools. A project may import (and declare as a dependency)
// only the workspace packages its tag allows, and only through their public entry point.
// Exits 1 listing every violation, naming the file and the import.
'use strict';
const { readFileSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const ALLOWED = {
  'scope:core': [],
  'scope:reduced-symmetry': ['scope:core'],
  'scope:arch': ['scope:core', 'scope:reduced-symmetry'],
  'scope:tool': ['scope:core', 'scope:reduced-symmetry', 'scope:arch'],
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
    const allowed = ALLOWED[project.scope] || [];
    const permits = (name) => {
      const target = byName.get(name);
      return !target || target === project || allowed.includes(target.scope);
    };
    for (const dep of project.deps) {
      if (!permits(dep))
        problems.push(
          `${project.dir}/package.json: ${project.scope} may not depend on ${dep} (${byName.get(dep).scope})`,
        );
    }
    for (const file of sourceFiles(join(root, project.dir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](@weightspace\/[^'"]+)['"]/g)) {
        const spec = m[1];
        const name = spec.split('/').slice(0, 2).join('/');
        const where = relative(root, file);
        if (spec !== name) problems.push(`${where}: deep import '${spec}' (import '${name}' instead)`);
        if (!permits(name))
          problems.push(`${where}: ${project.scope} may not import ${name} (${byName.get(name).scope})`);
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
