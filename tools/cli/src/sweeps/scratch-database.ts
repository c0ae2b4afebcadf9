import { execFileSync } from 'node:child_process';

/**
 * Creates a database of its own on the PostgreSQL server at `server` (through psql), for a test or
 * a benchmark that must not see another's queue; returns its URL.
 */
export function createScratchDatabase(server: string, name: string): string {
  execFileSync('psql', [server, '-q', '-c', `CREATE DATABASE ${name}`]);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createScratchDatabase, closing whatever still holds it. */
export function dropScratchDatabase(server: string, name: string): void {
  execFileSync('psql', [server, '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}
