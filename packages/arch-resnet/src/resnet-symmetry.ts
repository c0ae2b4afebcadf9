import type { SymmetrySpec } from '@weightspace/core';
import { conv2dAxes, type LayerAxes, linearAxes, normAxes } from '@weightspace/layers';
import { blocksOf, normStored, type ResnetConfig, stageChannels, STAGES } from './resnet-config';

/** The residual stream of stage s: one permutation shared by every tensor that reads or writes it. */
export const streamGroup = (stage: number): string => `stage${stage}`;
/** The channels inside a block, between its two convolutions. */
export const innerGroup = (block: string): string => `${block}.inner`;

/** A conv [out, in, kh, kw] (and its bias, if any) writing `to` and reading `from` (null: the image). */
const conv = (config: ResnetConfig, name: string, to: string, from: string | null): LayerAxes =>
  conv2dAxes(name, to, from, config.norm === 'none');

/** A norm layer's per-channel vectors (affine and running statistics) on the channels of `group`. */
function norm(config: ResnetConfig, prefix: string, group: string): LayerAxes {
  const stored = normStored(config);
  return stored ? normAxes(prefix, group, stored) : {};
}

/** A basic block: conv1 maps the incoming stream to the inner channels, conv2 back to the outgoing stream. */
function block(config: ResnetConfig, name: string, from: string, to: string): LayerAxes {
  const inner = innerGroup(name);
  return {
    ...conv(config, `${name}.conv1`, inner, from),
    ...norm(config, `${name}.bn1`, inner),
    ...conv(config, `${name}.conv2`, to, inner),
    ...norm(config, `${name}.bn2`, to),
  };
}

/** The 1×1 projection from one stage's stream to the next. */
function shortcut(config: ResnetConfig, name: string, from: string, to: string): LayerAxes {
  return { ...conv(config, `${name}.downsample.0`, to, from), ...norm(config, `${name}.downsample.1`, to) };
}

/**
 * The ResNet's permutation symmetry: each stage's residual stream is one permutation (the stem,
 * every block's second conv and the stage's shortcut write it; every block reads it), and each
 * block's inner channels are another. The classifier reads stage 3's stream; input and output
 * stay fixed. LayerNorm is one-group GroupNorm, whose statistics are taken over all channels
 * at once, so permuting channels leaves it unchanged too.
 */
export function resnetSymmetry(config: ResnetConfig): SymmetrySpec {
  const groups: SymmetrySpec['groups'] = {};
  for (const stage of STAGES) groups[streamGroup(stage)] = { kind: 'permutation', size: stageChannels(config, stage) };
  let axes: LayerAxes = { ...conv(config, 'conv1', streamGroup(1), null), ...norm(config, 'bn1', streamGroup(1)) };
  for (const b of blocksOf(config)) {
    groups[innerGroup(b.name)] = { kind: 'permutation', size: b.channelsOut };
    const from = streamGroup(b.projects ? b.stage - 1 : b.stage);
    const to = streamGroup(b.stage);
    axes = { ...axes, ...block(config, b.name, from, to), ...(b.projects ? shortcut(config, b.name, from, to) : {}) };
  }
  return { groups, axes: { ...axes, ...linearAxes('fc', null, streamGroup(3)) } };
}
