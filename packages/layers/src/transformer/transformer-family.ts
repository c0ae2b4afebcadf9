import type { ArchitecturePlugin } from '@weightspace/core';
import type { FeedForwardOf } from './feed-forward';
import type { TransformerShape } from './transformer-shape';

/**
 * What makes one transformer family (of ViTs, or of GPTs) differ from another: its name, config schema and examples, the
 * feed-forward part of each block, a check of the config beyond its schema, and how it reads a
 * config from checkpoint shapes and picks one for a dataset.
 */
export interface TransformerFamily<C extends TransformerShape> {
  id: string;
  description: string;
  configSchema: object;
  examples: readonly C[];
  feedForward: FeedForwardOf<C>;
  /** Throws a ConfigError naming the field when a config that fits its schema cannot be built. */
  check?: (config: C) => void;
  inferConfig: NonNullable<ArchitecturePlugin<C>['inferConfig']>;
  defaultConfig: NonNullable<ArchitecturePlugin<C>['defaultConfig']>;
}
