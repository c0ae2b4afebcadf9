import type { AnyArchitecture } from '@weightspace/core';
import { integerFlag, type Parsed } from './args';
import type { FlagTable } from './flags';
import { UsageError } from './usage-error';

/** Flags that set one field of an architecture's config, by flag name: the field and its meaning. */
const FIELDS: Record<string, { field: string; description: string }> = {
  experts: { field: 'experts', description: 'routed experts of the MoE layer (moe-mlp)' },
  'top-k': { field: 'topK', description: 'sparse gating: the k best experts per sample (moe-mlp; dense without)' },
  'shared-experts': { field: 'sharedExperts', description: 'always-active experts beside the routed ones (moe-mlp)' },
};

/** The config-field flags, for the flag tables of commands that build a model. */
export const configFieldFlags: FlagTable = Object.fromEntries(
  Object.entries(FIELDS).map(([flag, { description }]) => [flag, { type: 'string', value: 'N', description }]),
);

/**
 * `config` with the fields the config-field flags set (`--experts 4` sets `experts`); a UsageError
 * naming the flag when the architecture's config has no such field.
 */
export function withConfigFields(parsed: Parsed, plugin: AnyArchitecture, config: unknown): unknown {
  const properties = (plugin.configSchema as { properties?: Record<string, unknown> }).properties ?? {};
  const set: Record<string, number> = {};
  for (const [flag, { field }] of Object.entries(FIELDS)) {
    const value = integerFlag(parsed, flag, undefined, 0);
    if (value === undefined) continue;
    if (!(field in properties))
      throw new UsageError(`--${flag} sets '${field}', which the config of ${plugin.id} does not have`);
    set[field] = value;
  }
  return Object.keys(set).length ? { ...(config as object), ...set } : config;
}
