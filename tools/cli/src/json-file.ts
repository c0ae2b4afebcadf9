import { ConfigError } from '@weightspace/core';
import { readFileSync } from 'node:fs';

/** A file read as JSON: a ConfigError naming the file when it cannot be read or parsed. */
export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new ConfigError(
      `${file}: cannot read as JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}
