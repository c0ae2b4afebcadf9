import type { SymmetrySpec } from '@weightspace/core';
import { linearAxes, normAxes } from '@weightspace/layers';
import { hasBias, layerWidths, type MlpConfig } from './mlp-config';

/**
 * The MLP's symmetry: one permutation per hidden layer (`hidden.i`), acting on the rows of layer
 * i (weight, bias and LayerNorm weight and bias) and on the columns of layer i+1. LayerNorm's
 * statistics are taken over all units at once, so permuting them leaves it unchanged. Input and
 * output units stay fixed.
 */
export function mlpSymmetry(config: MlpConfig): SymmetrySpec {
  const layers = layerWidths(config).length - 1;
  const hidden = (i: number) => (i >= 0 && i < layers - 1 ? `hidden.${i}` : null);
  const groups: SymmetrySpec['groups'] = {};
  config.hidden.forEach((size, i) => (groups[`hidden.${i}`] = { kind: 'permutation', size }));
  const axes = Object.assign(
    {},
    ...Array.from({ length: layers }, (_, i) => ({
      ...linearAxes(`layers.${i}`, hidden(i), hidden(i - 1), hasBias(config)),
      ...(config.layerNorm && hidden(i) ? normAxes(`norms.${i}`, hidden(i)) : {}),
    })),
  ) as SymmetrySpec['axes'];
  return { groups, axes };
}
