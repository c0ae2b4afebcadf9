import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WeightspaceError } from '../errors/errors';
import { isProcessRunning } from './processes';

/** The lock file a writer holds in an output directory. */
export const LOCK_FILE = '.weightspace.lock';

/**
 * Runs `body` holding `directory`'s lock (created if needed), so that two runs never write one
 * output directory at once. A second writer is refused with a WeightspaceError naming the holder
 * (its process id, what it runs, since when); a lock left by a process that no longer runs is
 * taken over. The lock is released when `body` settles; when `body` fails, the directories this
 * call created are removed again if nothing was written into them.
 *
 * @param directory the output directory (created if needed)
 * @param holder what a second writer is told holds it, e.g. the command
 * @param body the work that writes into the directory
 * @returns what `body` returns
 * @example
 * ```ts
 * import { withDirectoryLock, writeFileAtomic } from '@weightspace/core';
 * void withDirectoryLock('/tmp/results', 'my experiment', () => writeFileAtomic('/tmp/results/a.json', '{}'));
 * ```
 */
export async function withDirectoryLock<T>(directory: string, holder: string, body: () => Promise<T> | T): Promise<T> {
  let created: string | undefined;
  try {
    created = mkdirSync(directory, { recursive: true });
  } catch (e) {
    throw new WeightspaceError(
      `${directory}: cannot create the output directory (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  const lock = join(directory, LOCK_FILE);
  try {
    acquire(lock, holder);
  } catch (e) {
    removeEmpty(directory, created);
    throw e;
  }
  let failed = true;
  try {
    const result = await body();
    failed = false;
    return result;
  } finally {
    rmSync(lock, { force: true });
    if (failed) removeEmpty(directory, created);
  }
}

/** Removes `directory` and its parents up to `created` (the first one mkdir made) while they are empty. */
function removeEmpty(directory: string, created: string | undefined): void {
  if (created === undefined) return;
  const top = resolve(created);
  for (let at = resolve(directory); ; at = dirname(at)) {
    try {
      rmdirSync(at);
    } catch {
      return;
    }
    if (at === top) return;
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
