import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '@weightspace/core';
import { commonFlags } from './flags';
import { UsageError } from './usage-error';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface Parsed {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Strict parsing: an unknown flag or a missing value is a UsageError naming it. */
export function parse(argv: string[], flags: FlagSpec): Parsed {
  try {
    const options = Object.fromEntries(
      Object.entries({ ...commonFlags, ...flags }).map(([name, f]) => [
        name,
        { type: f.type, ...(f.short && { short: f.short }), ...(f.multiple && { multiple: true }) },
      ]),
    );
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: true,
    });
    return { flags: values as Parsed['flags'], positionals };
  } catch (e) {
    const message = (e as Error).message.split('\n')[0].split('. ')[0];
    // A value that starts with '-' reads as a flag: `--flag=-0.1` passes it as a value.
    const hint = /argument is ambiguous/.test(message) ? " (write --flag=VALUE for a value that starts with '-')" : '';
    throw new UsageError(`${message}${hint}`);
  }
}

export function requireString(parsed: Parsed, flag: string): string {
  const value = parsed.flags[flag];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

export function optionalString(parsed: Parsed, flag: string): string | undefined {
  const value = parsed.flags[flag];
  return typeof value === 'string' ? value : undefined;
}

/** A flag that takes one of `choices`, or `fallback`; a UsageError naming the flag and the choices otherwise. */
export function choiceFlag<T extends string>(parsed: Parsed, flag: string, choices: readonly T[], fallback: T): T {
  const value = optionalString(parsed, flag);
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}

/**
 * A flag's text as a number when it is written in decimal (digits, an optional point, sign and
 * exponent), else NaN: Number() alone would take '' as 0 and '0x10' as 16.
 */
function decimal(raw: string): number {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw) ? Number(raw) : Number.NaN;
}

/** An integer flag within [min, max], or the default. */
export function integerFlag(
  parsed: Parsed,
  flag: string,
  fallback: number | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = parsed.flags[flag];
  if (raw === undefined) return fallback;
  const value = decimal(String(raw));
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be an integer in [${min}, ${max}], got '${String(raw)}'`);
  }
  return value;
}

/** A finite number flag: positive, or with `zero: true` non-negative (weight decay, momentum). */
export function numberFlag(parsed: Parsed, flag: string, fallback: number, options: { zero?: boolean } = {}): number {
  const raw = parsed.flags[flag];
  if (raw === undefined) return fallback;
  const value = decimal(String(raw));
  const low = options.zero ? value < 0 : value <= 0;
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || low)
    throw new UsageError(
      `--${flag} must be a ${options.zero ? 'non-negative' : 'positive'} number, got '${String(raw)}'`,
    );
  return value;
}

/** A JSON object given inline or as a path to a JSON file. */
export function jsonFlag(parsed: Parsed, flag: string): Record<string, unknown> | undefined {
  const raw = optionalString(parsed, flag);
  if (raw === undefined) return undefined;
  const fromFile = !raw.trimStart().startsWith('{') && existsSync(raw);
  const source = fromFile ? raw : `--${flag}`;
  let value: unknown;
  try {
    value = JSON.parse(fromFile ? readFileSync(raw, 'utf8') : raw);
  } catch (e) {
    throw new ConfigError(`${source} is not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(`${source} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** A comma-separated list of non-negative numbers, e.g. `--eps 0.05,0.1`. */
export function numberListFlag(parsed: Parsed, flag: string, fallback: number[]): number[] {
  const raw = parsed.flags[flag];
  if (raw === undefined) return fallback;
  const values = String(raw).split(',').map(decimal);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new UsageError(`--${flag} must be a comma-separated list of non-negative numbers, got '${String(raw)}'`);
  }
  return values;
}
