import type { AxisActions, SymmetrySpec } from '@weightspace/core';
import { hasBias, layerWidths, type MlpConfig } from './mlp-config';

/**
 * The MLP's symmetry: one permutation per hidden layer (`hidden.i`), acting on the rows of layer
 * i (weight, bias and LayerNorm weight and bias) and on the columns of layer i+1. LayerNorm's
 * statistics are taken over all units at once, so permuting them leaves it unchanged. Input and
 * output units stay fixed.
 */
export function mlpSymmetry(config: MlpConfig): SymmetrySpec {
  const widths = layerWidths(config);
  const layers = widths.length - 1;
  const hidden = (i: number) => (i >= 0 && i < layers - 1 ? `hidden.${i}` : null);
  const out = (group: string | null) => (group ? [{ group, as: 'g' as const }] : null);
  const inp = (group: string | null) => (group ? [{ group, as: 'inverse' as const }] : null);
  const dense = (i: number): Record<string, AxisActions> => ({
    [`layers.${i}.weight`]: [out(hidden(i)), inp(hidden(i - 1))],
    ...(hasBias(config) ? { [`layers.${i}.bias`]: [out(hidden(i))] } : {}),
    ...(config.layerNorm && hidden(i)
      ? { [`norms.${i}.weight`]: [out(hidden(i))], [`norms.${i}.bias`]: [out(hidden(i))] }
      : {}),
  });

  const groups: SymmetrySpec['groups'] = {};
  config.hidden.forEach((size, i) => (groups[`hidden.${i}`] = { kind: 'permutation', size }));
  const axes = Object.assign({}, ...Array.from({ length: layers }, (_, i) => dense(i)));
  return { groups, axes };
}
