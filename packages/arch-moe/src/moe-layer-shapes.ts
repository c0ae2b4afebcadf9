import { ConfigError, type ParamShapes } from '@weightspace/core';
import { expertName, sharedName, stackedName } from './moe-layer';
import type { MoeLayerConfig } from './moe-layer-config';

/** Refuses a config whose top-k cannot be chosen from its experts, naming `where` and the fields. */
export function assertMoeLayerFits(where: string, config: MoeLayerConfig): void {
  if (config.topK !== undefined && config.topK > config.experts)
    throw new ConfigError(`${where}: topK ${config.topK} is larger than the number of experts (${config.experts})`);
}

/**
 * An MoE layer's config as far as shapes tell it (the gating's top-k does not show in them: dense
 * unless the checkpoint records its config): the layout, the expert count (which the gate's rows
 * must match), the experts' width and the shared experts. ConfigErrors name the parameter at fault.
 */
export function inferMoeLayer(where: string, shapes: ParamShapes, prefix: string, width: number): MoeLayerConfig {
  const gate = shapes[`${prefix}.gate.weight`];
  if (!gate || gate.length !== 2 || gate[1] !== width)
    throw new ConfigError(`${where}: '${prefix}.gate.weight' should have shape [experts, ${width}]`);
  const stacked = shapes[stackedName(prefix, 'fc1.weight')];
  let experts: number;
  let expertWidth: number;
  if (stacked) {
    [experts, expertWidth] = stacked;
  } else {
    experts = 0;
    while (shapes[expertName(prefix, experts, 'fc1.weight')]) experts++;
    if (experts === 0)
      throw new ConfigError(
        `${where}: no '${expertName(prefix, 0, 'fc1.weight')}' or '${stackedName(prefix, 'fc1.weight')}'`,
      );
    expertWidth = shapes[expertName(prefix, 0, 'fc1.weight')][0];
  }
  if (gate[0] !== experts)
    throw new ConfigError(
      `${where}: '${prefix}.gate.weight' has ${gate[0]} rows but the checkpoint has ${experts} experts: the gate must have one row per expert`,
    );
  let sharedExperts = 0;
  while (shapes[sharedName(prefix, sharedExperts, 'fc1.weight')]) sharedExperts++;
  return {
    experts,
    expertWidth,
    ...(sharedExperts ? { sharedExperts } : {}),
    ...(stacked ? { layout: 'stacked' as const } : {}),
  };
}
