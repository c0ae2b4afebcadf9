import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isProcessRunning } from './processes';

/**
 * Writes to a temporary file beside the target, flushes it to disk, renames it into place and
 * flushes the directory, so a crash or a power loss leaves either the old file or the new one,
 * never half of one. Creates the directory if needed. Temporary files that a killed process left
 * for the same target (`NAME.tmp-PID-TIME` whose PID is no longer running) are removed first.
 *
 * @param file the file to write (its directory is created)
 * @param data text (as UTF-8) or bytes
 * @example
 * ```ts
 * import { writeFileAtomic } from '@weightspace/core';
 * writeFileAtomic('/tmp/results/curve.json', JSON.stringify({ barrier: 0.01 }));
 * ```
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const directory = dirname(file);
  mkdirSync(directory, { recursive: true });
  removeStaleTemporaries(file);
  const temporary = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fd = openSync(temporary, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
  syncDirectory(directory);
}

/** Pretty JSON, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Removes `file`'s temporaries whose writer is gone; those of running processes stay. */
function removeStaleTemporaries(file: string): void {
  const prefix = `${basename(file)}.tmp-`;
  for (const name of readdirSync(dirname(file))) {
    const match = name.startsWith(prefix) ? /^(\d+)-\d+$/.exec(name.slice(prefix.length)) : null;
    if (match && !isProcessRunning(Number(match[1]))) rmSync(join(dirname(file), name), { force: true });
  }
}

/** Makes a rename durable; a file system that cannot sync a directory is left as it is. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Directory fsync is not supported everywhere (some network and FUSE file systems).
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
