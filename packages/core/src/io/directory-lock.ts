import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { WeightspaceError } from '../errors/errors';
import { isProcessRunning } from './processes';

/** The lock file a writer holds in an output directory. */
export const LOCK_FILE = '.weightspace.lock';

/**
 * Runs `body` holding `directory`'s lock (created if needed), so that two runs never write one
 * output directory at once. A second writer is refused with a WeightspaceError naming the holder
 * (its process id, what it runs, since when); a lock left by a process that no longer runs is
 * taken over. The lock is released when `body` settles.
 */
export async function withDirectoryLock<T>(directory: string, holder: string, body: () => Promise<T> | T): Promise<T> {
  mkdirSync(directory, { recursive: true });
  const lock = join(directory, LOCK_FILE);
  acquire(lock, holder);
  try {
    return await body();
  } finally {
    rmSync(lock, { force: true });
  }
}

function acquire(lock: string, holder: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, holder, since: new Date().toISOString() }));
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = readHolder(lock);
    if (held && isProcessRunning(held.pid)) {
      throw new WeightspaceError(
        `${lock}: the directory is being written by process ${held.pid} (${held.holder}, since ${held.since}); wait for it or choose another output`,
      );
    }
    // Left by a process that is gone (or unreadable): take it over.
    rmSync(lock, { force: true });
  }
  throw new WeightspaceError(`${lock}: could not take the lock`);
}

function readHolder(lock: string): { pid: number; holder: string; since: string } | undefined {
  try {
    const value = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: unknown; holder?: unknown; since?: unknown };
    return typeof value.pid === 'number'
      ? { pid: value.pid, holder: String(value.holder), since: String(value.since) }
      : undefined;
  } catch {
    return undefined;
  }
}
