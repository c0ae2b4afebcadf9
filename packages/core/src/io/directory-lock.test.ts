import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, withDirectoryLock } from './directory-lock';

describe('withDirectoryLock', () => {
  it('holds the lock while the body runs and releases it after, also when the body throws', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lock-')), 'out');
    const seen = await withDirectoryLock(
      dir,
      'test',
      () => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; holder: string },
    );
    expect([seen.pid, seen.holder]).toEqual([process.pid, 'test']);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await expect(withDirectoryLock(dir, 'test', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('removes the directories it created when the body fails and wrote nothing, and only those', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lock-'));
    const deep = join(root, 'new', 'deeper');
    await expect(withDirectoryLock(deep, 'test', () => Promise.reject(new Error('bad input')))).rejects.toThrow();
    expect([existsSync(join(root, 'new')), existsSync(root)]).toEqual([false, true]);
    // A failure after writing keeps what was written; a directory that existed stays.
    const kept = join(root, 'kept');
    await expect(
      withDirectoryLock(kept, 'test', () => {
        writeFileSync(join(kept, 'partial.json'), '{}');
        throw new Error('late failure');
      }),
    ).rejects.toThrow();
    expect(existsSync(join(kept, 'partial.json'))).toBe(true);
    await expect(withDirectoryLock(root, 'test', () => Promise.reject(new Error('x')))).rejects.toThrow();
    expect(existsSync(root)).toBe(true);
    // Where the directory cannot be made, the error names it.
    writeFileSync(join(root, 'file'), 'x');
    await expect(withDirectoryLock(join(root, 'file', 'out'), 'test', () => 1)).rejects.toThrow(
      /file[/\\]out: cannot create the output directory \(ENOTDIR\)/,
    );
  });

  it('refuses a second writer, naming the holder; the holder keeps its lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    await withDirectoryLock(dir, 'first writer', async () => {
      await expect(withDirectoryLock(dir, 'second writer', () => 1)).rejects.toThrow(
        new RegExp(
          `being written by process ${process.pid} \\(first writer, since .*\\); wait for it or choose another output`,
        ),
      );
      expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    });
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    mkdirSync(dir, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: gone, holder: 'killed run', since: 'earlier' }));
    expect(await withDirectoryLock(dir, 'next run', () => 'ran')).toBe('ran');
  });
});
