import type { ArchitecturePlugin, Params } from '@weightspace/core';
import type { TransformerBlockNames } from '../transformer-block';
import { canonicalParams } from './canonical-form';
import type { CanonicalLayout } from './canonical-layout';
import { circuitForm } from './circuit-form';
import type { FeedForwardOf } from './feed-forward';
import type { TransformerShape } from './transformer-shape';
import { transformerFeatureGraph } from './transformer-taps';

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

/**
 * A family's canonical form (see `canonicalParams`) with the norms and writers of `layout`; the
 * config marked folded (RMSNorm) with `fields` besides (the GPT's head becomes untied).
 */
export function familyCanonicalForm<C extends TransformerShape>(
  family: TransformerFamily<C>,
  blockNames: (i: number) => TransformerBlockNames,
  layout: (config: C) => CanonicalLayout,
  fields: Partial<C> = {},
): (config: C, params: Params) => { config: C; params: Params } {
  return (config, params) => ({
    config: { ...config, norm: 'rmsnorm', folded: true, ...fields },
    params: canonicalParams(config, params, () => layout(config), blockNames, family.feedForward),
  });
}

/** The plugin fields every transformer family fills alike: its own, feature taps, canonical and circuit forms. */
export function familyFields<C extends TransformerShape>(
  family: TransformerFamily<C>,
  blockNames: (i: number) => TransformerBlockNames,
  canonicalize: (config: C, params: Params) => { config: C; params: Params },
): Pick<
  ArchitecturePlugin<C>,
  | 'id'
  | 'description'
  | 'configSchema'
  | 'examples'
  | 'featureGraph'
  | 'canonicalize'
  | 'forms'
  | 'normalisation'
  | 'inferConfig'
  | 'defaultConfig'
> {
  return {
    id: family.id,
    description: family.description,
    configSchema: family.configSchema,
    examples: family.examples,
    featureGraph: (config) => transformerFeatureGraph(config, blockNames, family.feedForward),
    canonicalize,
    forms: [circuitForm(canonicalize, blockNames)],
    normalisation: () => [],
    inferConfig: family.inferConfig,
    defaultConfig: family.defaultConfig,
  };
}
