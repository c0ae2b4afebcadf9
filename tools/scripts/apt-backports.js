#!/usr/bin/env node
// Derives an apt entry for the backports suite of the machine's Debian release from the apt
// sources already configured there: the same URIs, signing key and format (deb822 `.sources` or
// one-line `.list`) as the entry of the release itself, with the suite `<codename>-backports`.
// A machine whose apt goes through another mirror, a proxy or a snapshot keeps going through it;
// the repository names no package host of its own.
//
//   node tools/scripts/apt-backports.js add      writes the entry (idempotent), prints its path
//   node tools/scripts/apt-backports.js remove   deletes what `add` wrote, if anything
//
// Exits 1 with a message naming the files it read when no entry of the release is configured.
'use strict';
const { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ENTRY_NAME = 'weightspace-backports';

/** Splits deb822 text into stanzas of `{field: value}` (field names lower-cased, comments dropped). */
function parseDeb822(text) {
  const stanzas = [];
  let current = null;
  let lastField = null;
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#')) continue;
    if (raw.trim() === '') {
      current = null;
      continue;
    }
    if (/^\s/.test(raw) && current && lastField) {
      current[lastField] += `\n${raw.trim()}`;
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
    if (!m) continue;
    if (!current) {
      current = {};
      stanzas.push(current);
    }
    lastField = m[1].toLowerCase();
    current[lastField] = m[2].trim();
  }
  return stanzas;
}

const words = (value) => (value || '').split(/\s+/).filter(Boolean);

/** The deb822 stanza for the backports suite, from the stanza that serves `codename`, or null. */
function backportsFromDeb822(text, codename) {
  const base = parseDeb822(text).find(
    (s) => words(s.types).includes('deb') && words(s.suites).includes(codename) && s.enabled !== 'no',
  );
  if (!base) return null;
  const lines = ['Types: deb', `URIs: ${base.uris}`, `Suites: ${codename}-backports`, 'Components: main'];
  if (base['signed-by']) lines.push(`Signed-By: ${base['signed-by']}`);
  if (base.architectures) lines.push(`Architectures: ${base.architectures}`);
  return `${lines.join('\n')}\n`;
}

/** The one-line entry for the backports suite, from the `deb` line that serves `codename`, or null. */
function backportsFromOneLine(text, codename) {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+/.exec(line);
    if (m && m[3] === codename) return `deb ${m[1] || ''}${m[2]} ${codename}-backports main\n`;
  }
  return null;
}

/** The release's codename from os-release text (`VERSION_CODENAME=bookworm`). */
function codenameOf(osRelease) {
  const m = /^VERSION_CODENAME=["']?([a-z]+)["']?$/m.exec(osRelease);
  if (!m) throw new Error('os-release has no VERSION_CODENAME');
  return m[1];
}

/**
 * Where and what to write: `{path, text}` derived from the sources under `aptDir`
 * (sources.list and sources.list.d/*.{sources,list}, never our own entry).
 */
function deriveEntry(aptDir, codename) {
  const partsDir = join(aptDir, 'sources.list.d');
  const files = [];
  if (existsSync(join(aptDir, 'sources.list'))) files.push(join(aptDir, 'sources.list'));
  if (existsSync(partsDir)) {
    for (const name of readdirSync(partsDir).sort()) {
      if (name.startsWith(ENTRY_NAME)) continue;
      if (name.endsWith('.sources') || name.endsWith('.list')) files.push(join(partsDir, name));
    }
  }
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      const entry = backportsFromDeb822(text, codename);
      if (entry) return { path: join(partsDir, `${ENTRY_NAME}.sources`), text: entry };
    } else {
      const entry = backportsFromOneLine(text, codename);
      if (entry) return { path: join(partsDir, `${ENTRY_NAME}.list`), text: entry };
    }
  }
  throw new Error(`no apt entry for '${codename}' in ${files.join(', ') || `${aptDir} (no sources files)`}`);
}

/** Deletes every entry `add` may have written under `aptDir`; returns the paths deleted. */
function removeEntries(aptDir) {
  const partsDir = join(aptDir, 'sources.list.d');
  const removed = [];
  for (const ext of ['.sources', '.list']) {
    const path = join(partsDir, `${ENTRY_NAME}${ext}`);
    if (existsSync(path)) {
      rmSync(path);
      removed.push(path);
    }
  }
  return removed;
}

module.exports = { parseDeb822, backportsFromDeb822, backportsFromOneLine, codenameOf, deriveEntry, removeEntries };

if (require.main === module) {
  const aptDir = process.env.APT_DIR || '/etc/apt';
  const command = process.argv[2];
  try {
    if (command === 'add') {
      const entry = deriveEntry(aptDir, codenameOf(readFileSync('/etc/os-release', 'utf8')));
      removeEntries(aptDir);
      writeFileSync(entry.path, entry.text);
      console.log(entry.path);
    } else if (command === 'remove') {
      removeEntries(aptDir);
    } else {
      console.error('usage: apt-backports.js add|remove');
      process.exit(2);
    }
  } catch (error) {
    console.error(`apt-backports: ${error.message}`);
    process.exit(1);
  }
}
