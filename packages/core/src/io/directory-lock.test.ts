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
