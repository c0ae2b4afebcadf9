import { Ajv, type ErrorObject } from 'ajv';
import { ConfigError } from '../errors/errors';

/**
 * Validates `value` against a JSON Schema and returns it typed, or throws a ConfigError whose
 * message names the source (a file, a plugin) and each failing path.
 *
 * @param schema a JSON Schema (draft-07, as ajv reads it)
 * @param value the value to check; defaults in the schema are filled in
 * @param source what to name in the error: a file, a plugin, a flag
 * @returns `value`, typed
 * @example
 * ```ts
 * import { validateAgainst } from '@weightspace/core';
 * const schema = { type: 'object', required: ['width'], properties: { width: { type: 'integer', minimum: 1 } } };
 * const config = validateAgainst<{ width: number }>(schema, { width: 64 }, 'config.json');
 * console.log(config.width);
 * // validateAgainst(schema, { width: 0 }, 'config.json') throws: config.json: /width must be >= 1
 * ```
 */
export function validateAgainst<T>(schema: object, value: unknown, source: string): T {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
  const check = ajv.compile(schema);
  if (!check(value)) throw new ConfigError(`${source}: ${describeErrors(check.errors ?? [])}`);
  return value as T;
}

function describeErrors(errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const where = e.instancePath || '(root)';
      if (e.keyword === 'additionalProperties')
        return `${where} has unknown property '${String(e.params.additionalProperty)}'`;
      if (e.keyword === 'enum') return `${where} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}
