import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// .ci/run adds the backports suite through a plain script (it runs before npm ci); its logic is
// tested here, on apt directories made for the test.
const apt = require('../../scripts/apt-backports.js') as {
  codenameOf: (osRelease: string) => string;
  deriveEntry: (aptDir: string, codename: string) => { path: string; text: string };
  removeEntries: (aptDir: string) => string[];
};

const root = resolve(__dirname, '..', '..', '..');

function aptDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'apt-'));
  mkdirSync(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const SNAPSHOT_SOURCES = `Types: deb
# a comment naming another archive
URIs: http://proxy.invalid:3142/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://proxy.invalid:3142/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe('apt-backports: the backports entry derived from the machine’s apt sources', () => {
  it('copies the URIs and signing key of the release’s deb822 stanza, with the backports suite', () => {
    const dir = aptDir({ 'sources.list.d/debian.sources': SNAPSHOT_SOURCES });
    expect(apt.deriveEntry(dir, 'bookworm')).toEqual({
      path: join(dir, 'sources.list.d', 'weightspace-backports.sources'),
      text:
        'Types: deb\nURIs: http://proxy.invalid:3142/debian\nSuites: bookworm-backports\nComponents: main\n' +
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n',
    });
  });

  it('keeps a one-line source one-line, with its options', () => {
    const dir = aptDir({
      'sources.list':
        '# deb http://old.invalid/debian bookworm main\ndeb [signed-by=/k.gpg arch=amd64] http://mirror.invalid/debian bookworm main contrib\n',
    });
    expect(apt.deriveEntry(dir, 'bookworm')).toEqual({
      path: join(dir, 'sources.list.d', 'weightspace-backports.list'),
      text: 'deb [signed-by=/k.gpg arch=amd64] http://mirror.invalid/debian bookworm-backports main\n',
    });
  });

  it('skips disabled stanzas, source-only stanzas and its own entry', () => {
    const dir = aptDir({
      'sources.list.d/a.sources':
        'Types: deb-src\nURIs: http://src.invalid/debian\nSuites: bookworm\nComponents: main\n\n' +
        'Types: deb\nURIs: http://off.invalid/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n',
      'sources.list.d/b.sources': 'Types: deb\nURIs: http://on.invalid/debian\nSuites: bookworm\nComponents: main\n',
      'sources.list.d/weightspace-backports.list': 'deb http://stale.invalid/debian bookworm main\n',
    });
    expect(apt.deriveEntry(dir, 'bookworm').text).toContain('URIs: http://on.invalid/debian\n');
  });

  it('names the files it read when no entry serves the release', () => {
    const dir = aptDir({ 'sources.list.d/other.sources': SNAPSHOT_SOURCES });
    expect(() => apt.deriveEntry(dir, 'trixie')).toThrow(
      `no apt entry for 'trixie' in ${join(dir, 'sources.list.d', 'other.sources')}`,
    );
  });

  it('removes only what it wrote', () => {
    const dir = aptDir({ 'sources.list.d/debian.sources': SNAPSHOT_SOURCES });
    const entry = apt.deriveEntry(dir, 'bookworm');
    writeFileSync(entry.path, entry.text);
    expect(apt.removeEntries(dir)).toEqual([entry.path]);
    expect(existsSync(entry.path)).toBe(false);
    expect(existsSync(join(dir, 'sources.list.d', 'debian.sources'))).toBe(true);
  });

  it('reads the codename from os-release', () => {
    expect(apt.codenameOf('NAME="Debian GNU/Linux"\nVERSION_CODENAME=bookworm\nID=debian\n')).toBe('bookworm');
    expect(() => apt.codenameOf('ID=debian\n')).toThrow('VERSION_CODENAME');
  });
});

describe('repository', () => {
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

  it('has no URL in any shell script, but for the loopback interface', () => {
    const scripts = tracked.filter((f) => {
      if (f.endsWith('.sh') || f.startsWith('.ci/')) return true;
      if (!existsSync(join(root, f))) return false;
      return /^#!.*\b(ba|da|z)?sh\b/.test(readFileSync(join(root, f), 'utf8').split('\n', 1)[0]);
    });
    expect(scripts).toContain('.ci/run');
    // A server the script starts itself on 127.0.0.1 is reached by URL; nothing else is.
    const external = /[a-z][a-z0-9+.-]*:\/\/(?!([^/@\s]*@)?(127\.0\.0\.1|localhost)[:/])/i;
    const withUrls = scripts.filter((f) => external.test(readFileSync(join(root, f), 'utf8')));
    expect(withUrls).toEqual([]);
  });

  it('names no package-mirror host in any file', () => {
    const mirrorHost = /\b[a-z0-9.-]*(debian\.org|ubuntu\.com|nodesource\.com|packages\.cloud\.google\.com)\b/i;
    const offenders = tracked.filter((f) => {
      if (!existsSync(join(root, f)) || f.endsWith('package-lock.json')) return false;
      return mirrorHost.test(readFileSync(join(root, f), 'utf8'));
    });
    expect(offenders).toEqual([]);
  });
});
