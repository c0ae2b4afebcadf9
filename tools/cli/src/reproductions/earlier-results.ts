import { existsSync, readFileSync } from 'node:fs';

/**
 * What an earlier run of a reproduction wrote to `file` under `field` (its rows or entries),
 * reused only when that run recorded the same `settings` (compared as JSON, under `settings`):
 * otherwise, or without a file, nothing, so a changed budget never mixes its results with old ones.
 */
export function earlierResults<T>(file: string, settings: object, field: string): T[] {
  if (!existsSync(file)) return [];
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return JSON.stringify(saved.settings) === JSON.stringify(settings) ? (saved[field] as T[]) : [];
}
