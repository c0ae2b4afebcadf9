import type { FeatureGraph } from '@weightspace/core';
import { blocksOf, convUnits, type ResnetConfig, STAGES } from './resnet-config';
import { innerGroup, streamGroup } from './resnet-symmetry';

/**
 * How the ResNet's taps connect: its activations (stem, each block's inner and output ones), the
 * classifier as its one dense layer, the taps that carry each permutation group's channels
 * (a stage's stream: the stem or the stage's block outputs; a block's inner channels: its
 * inner activation), and the per-channel affine outputs REPAIR rescales (each norm's output,
 * or each conv's output when there is no norm).
 */
export function resnetTaps(config: ResnetConfig): FeatureGraph {
  const blocks = blocksOf(config);
  const pre = (unit: { conv: string; norm: string }) => (config.norm === 'none' ? unit.conv : unit.norm);
  const relu = [{ preActivation: pre({ conv: 'conv1', norm: 'bn1' }), activation: 'stem' }];
  for (const b of blocks) {
    relu.push({
      preActivation: pre({ conv: `${b.name}.conv1`, norm: `${b.name}.bn1` }),
      activation: `${b.name}.hidden`,
    });
    relu.push({ preActivation: `${b.name}.residual`, activation: b.name });
  }
  const units: Record<string, string[]> = {};
  for (const stage of STAGES)
    units[streamGroup(stage)] = [
      ...(stage === 1 ? ['stem'] : []),
      ...blocks.filter((b) => b.stage === stage).map((b) => b.name),
    ];
  for (const b of blocks) units[innerGroup(b.name)] = [`${b.name}.hidden`];
  const affine = convUnits(config).map((unit) =>
    config.norm === 'none'
      ? { tap: unit.conv, scale: [`${unit.conv}.weight`], shift: `${unit.conv}.bias` }
      : {
          tap: unit.norm,
          scale: [`${unit.norm}.weight`],
          shift: `${unit.norm}.bias`,
          batchNorm: config.norm === 'batchnorm',
        },
  );
  return { linear: [{ weight: 'fc.weight', input: 'pool', output: 'logits' }], relu, units, affine };
}
