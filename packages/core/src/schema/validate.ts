import { Ajv, type ErrorObject } from 'ajv';
import { ConfigError } from '../errors/errors';

/**
 * Validates `value` against a JSON Schema and returns it typed, or throws a ConfigError whose
 * message names the source (a file, a plugin) and each failing path.
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
