import { writeJsonAtomic } from '@weightspace/core';

/**
 * Every JSON file the CLI writes starts with `schema` (which file it is) and `schemaVersion`; the
 * version goes up when a field changes meaning or goes away, so readers can refuse what they do
 * not know. The JSON Schemas of the files are `resultSchemas`.
 */
export const SCHEMA_VERSION = 1;

/** The kinds of result file, each with its schema in `resultSchemas`. */
export const RESULT_KINDS = [
  'alignment',
  'curve',
  'llfc',
  'lewc',
  'robustness',
  'merge',
  'report',
  'reproduction',
] as const;
/** The kinds of JSON file the CLI writes, each with a schema in `resultSchemas`. */
export type ResultKind = (typeof RESULT_KINDS)[number];

/**
 * The first two fields of every JSON file the CLI writes: which kind of file it is and the version
 * of its schema.
 */
export interface ResultHeader {
  schema: `weightspace/${ResultKind}`;
  schemaVersion: typeof SCHEMA_VERSION;
}

/** `body` with the header of its kind in front. */
export function withSchema<T extends object>(kind: ResultKind, body: T): ResultHeader & T {
  return { schema: `weightspace/${kind}`, schemaVersion: SCHEMA_VERSION, ...body };
}

/** Writes `body` with its header to `file`, atomically; returns what was written. */
export function writeResult<T extends object>(file: string, kind: ResultKind, body: T): ResultHeader & T {
  const result = withSchema(kind, body);
  writeJsonAtomic(file, result);
  return result;
}
