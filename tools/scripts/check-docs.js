#!/usr/bin/env node
// Checks the built documentation site (docs-site/, after typedoc): every exported declaration of
// every package has a comment (the count is printed), the guide pages are there, and every
// relative link and image of every page (source links into the checkout included) resolves to a
// file. Exits 1 naming what is missing.
'use strict';
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const root = join(__dirname, '..', '..');
const site = join(root, 'docs-site');
const problems = [];

// 1. Comments on every exported declaration (functions and their signatures, classes,
//    interfaces, type aliases, variables, enums).
const DECLARATION_KINDS = new Set([8, 32, 64, 128, 256, 2097152]);
const api = JSON.parse(readFileSync(join(site, 'api.json'), 'utf8'));
const documented = (r) => Boolean(r.comment?.summary?.length || r.signatures?.some((s) => s.comment?.summary?.length));
let exported = 0;
const undocumented = [];
const walk = (reflection, module) => {
  for (const child of reflection.children ?? []) {
    if (child.kind === 2) walk(child, child.name);
    else if (DECLARATION_KINDS.has(child.kind)) {
      exported++;
      if (!documented(child)) undocumented.push(`${module}!${child.name}`);
    }
  }
};
walk(api, '');
process.stdout.write(`docs: ${exported} exported declarations, ${undocumented.length} without a comment\n`);
for (const name of undocumented) problems.push(`no comment: ${name}`);

// 2. The guide pages.
for (const guide of ['Getting_started', 'Concepts', 'Adding_an_architecture', 'Reproductions', 'CLI_reference'])
  if (!existsSync(join(site, 'documents', `${guide}.html`))) problems.push(`missing guide page: ${guide}`);

// 3. Every relative href and src of every page resolves.
let links = 0;
const pages = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? pages(path) : name.endsWith('.html') ? [path] : [];
  });
for (const page of pages(site)) {
  const html = readFileSync(page, 'utf8');
  for (const [, target] of html.matchAll(/(?:href|src)="([^"#?]+)(?:[#?][^"]*)?"/g)) {
    if (/^(?:[a-z]+:|\/\/)/i.test(target)) continue;
    links++;
    if (!existsSync(join(dirname(page), decodeURIComponent(target))))
      problems.push(`broken link in ${relative(site, page)}: ${target}`);
  }
}
process.stdout.write(`docs: ${links} relative links checked\n`);
if (problems.length) {
  process.stderr.write(`${problems.slice(0, 50).join('\n')}\n${problems.length} problems\n`);
  process.exit(1);
}
