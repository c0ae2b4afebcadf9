import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage-error';

/**
 * Checks, before any work starts, that `path` (given as `flag`) can be written as a file: it is
 * no input of the command (`inputs`: flag → path), no existing directory, and its nearest existing
 * ancestor is a writable directory. Throws a UsageError naming the flag and the path at fault.
 */
export function assertWritableFile(flag: string, path: string, inputs: Record<string, string | undefined> = {}): void {
  assertFileTarget(flag, path, inputs);
  assertWritableParent(flag, path, dirname(resolve(path)));
}

/** The same for a directory the command writes into (`files`: what it writes there, checked like files). */
export function assertWritableDirectory(
  flag: string,
  path: string,
  files: readonly string[],
  inputs: Record<string, string | undefined> = {},
): void {
  const target = resolve(path);
  if (existsSync(target) && !statSync(target).isDirectory())
    throw new UsageError(`${flag} ${path} is a file, not a directory`);
  assertWritableParent(flag, path, target);
  for (const file of files) assertFileTarget(flag, resolve(target, file), inputs);
}

/** A file `path` may be written: it is none of the inputs and no directory. */
function assertFileTarget(flag: string, path: string, inputs: Record<string, string | undefined>): void {
  const target = resolve(path);
  for (const [inputFlag, input] of Object.entries(inputs)) {
    if (input !== undefined && resolve(input) === target) {
      throw new UsageError(
        `${flag} ${path} is also the input ${inputFlag}: it would be overwritten; choose another path`,
      );
    }
  }
  if (existsSync(target) && statSync(target).isDirectory()) throw new UsageError(`${flag} ${path} is a directory`);
}

function assertWritableParent(flag: string, path: string, directory: string): void {
  let existing = directory;
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory())
    throw new UsageError(`${flag} ${path}: ${existing} is a file, not a directory`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: ${existing} is not writable`);
  }
}
