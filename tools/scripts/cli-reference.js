#!/usr/bin/env node
// Writes the CLI reference page of the documentation site (docs/guides/cli-reference.md) from
// the commands' own definitions: each command's summary, usage line and flag table, as --help
// prints them. Run after `npm run build` (it reads tools/cli/dist); `npm run docs` does both.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const { commands } = require(join(root, 'tools', 'cli', 'dist', 'cli.js'));
const { commonFlags, flagSyntax, usageLine } = require(join(root, 'tools', 'cli', 'dist', 'flags.js'));

const cell = (text) => text.replace(/\|/g, '\\|');
const sections = commands.map((command) => {
  const rows = Object.entries({ ...command.flags, ...commonFlags }).map(
    ([name, flag]) =>
      `| \`${cell(flagSyntax(name, flag))}\` | ${cell(flag.description)}${flag.required ? ' (required)' : ''} | ${flag.default === undefined ? '' : cell(flag.default)} |`,
  );
  return [
    `## ${command.name}`,
    '',
    `${command.summary}${command.details ? `; ${command.details}` : ''}.`,
    '',
    '```sh',
    usageLine(command),
    '```',
    '',
    '| flag | meaning | default |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
});
const page = [
  '---',
  'title: CLI reference',
  'group: Guides',
  '---',
  '',
  '# CLI reference',
  '',
  'Generated from the commands’ flag tables, as `weightspace CMD --help` prints them. Run the CLI',
  'as `npx weightspace …` after `npm ci && npm run build`. A bad flag or input exits with code 2 and',
  'one line naming it; `--json` prints a result as JSON; `weightspace completion bash` prints a',
  'completion script.',
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
writeFileSync(join(root, 'docs', 'guides', 'cli-reference.md'), page);
