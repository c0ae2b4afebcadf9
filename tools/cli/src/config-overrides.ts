import type { AnyArchitecture } from '@weightspace/core';
import { moeBlocksFrom } from '@weightspace/arch-moe';
import { integerFlag, optionalString, type Parsed } from './args';
import type { FlagTable } from './flags';
import { UsageError } from './usage-error';

/** Flags that set one field of an architecture's config, by flag name: the field and its meaning. */
const FIELDS: Record<string, { field: string; description: string }> = {
  experts: { field: 'experts', description: 'routed experts of each MoE layer (moe-mlp, vit-moe, gpt-moe)' },
  'top-k': {
    field: 'topK',
    description: 'sparse gating: the k best experts per sample or token (MoE models; dense without)',
  },
  'shared-experts': {
    field: 'sharedExperts',
    description: 'always-active experts beside the routed ones (MoE models)',
  },
};

/** The config-field flags, for the flag tables of commands that build a model. */
export const configFieldFlags: FlagTable = {
  ...Object.fromEntries(
    Object.entries(FIELDS).map(([flag, { description }]) => [flag, { type: 'string', value: 'N', description }]),
  ),
  'moe-blocks': {
    type: 'string',
    value: 'first|last|every|I,J',
    description: 'the blocks whose MLP is an MoE layer (vit-moe, gpt-moe)',
  },
};

/**
 * `config` with the fields the config-field flags set (`--experts 4` sets `experts`,
 * `--moe-blocks last` the last block's number in `moeBlocks`); a UsageError naming the flag when
 * the architecture's config has no such field.
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
  const placement = optionalString(parsed, 'moe-blocks');
  if (placement !== undefined) {
    if (!('moeBlocks' in properties))
      throw new UsageError(`--moe-blocks sets 'moeBlocks', which the config of ${plugin.id} does not have`);
    const depth = (config as { depth: number }).depth;
    return { ...(config as object), ...set, moeBlocks: moeBlocksFrom(placement, depth, '--moe-blocks') };
  }
  return Object.keys(set).length ? { ...(config as object), ...set } : config;
}
