import { statisticsOption } from '@weightspace/core';
import { choiceFlag, type Parsed } from './args';
import type { FlagTable } from './flags';

/**
 * `--match-statistics yes|no`, for every command that runs weight matching (`align`, `merge`):
 * whether BatchNorm running statistics count in the objective. The matchers' `statistics` option;
 * without the flag, the option's default (or `--matcher-option statistics=…`) holds.
 */
export const statisticsFlags: FlagTable = {
  'match-statistics': {
    type: 'string',
    value: 'yes|no',
    description: `whether weight matching counts BatchNorm running means and variances in its objective (they move with their units either way)`,
    default: statisticsOption.default === 'match' ? 'yes' : 'no',
  },
};

/** The `statistics` matcher option `--match-statistics` gives, or undefined without the flag. */
export function statisticsSetting(parsed: Parsed): 'match' | 'ignore' | undefined {
  if (parsed.flags['match-statistics'] === undefined) return undefined;
  return choiceFlag(parsed, 'match-statistics', ['yes', 'no'], 'yes') === 'yes' ? 'match' : 'ignore';
}
