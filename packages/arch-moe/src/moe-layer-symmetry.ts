import * as tf from '@tensorflow/tfjs';
import type { AxisActions, ParamFamily, Params, SymmetrySpec } from '@weightspace/core';
import { type Group, linearAxes, reads, writes } from '@weightspace/layers';
import { EXPERT_TENSORS, expertName, sharedName, stackedName } from './moe-layer';
import { isStacked, type MoeLayerConfig } from './moe-layer-config';

/** The names of an MoE layer's groups: its routed experts and their hidden units, its shared experts and theirs. */
export function moeGroupNames(prefix: string) {
  return {
    experts: `${prefix}.experts`,
    hidden: `${prefix}.experts.hidden`,
    shared: `${prefix}.shared_experts`,
    sharedHidden: `${prefix}.shared_experts.hidden`,
  };
}

/**
 * The symmetry of an MoE layer that reads the units of group `input` and writes those of
 * `output` (Tran et al. 2025, with the hidden units of each expert): a permutation of the routed
 * experts, acting on the gate's rows and bias and on the experts themselves (a family of parameter
 * names per expert, or the leading axis of stacked tensors); a permutation of each routed expert's
 * hidden units batched over the experts (one per expert, moving with it); and likewise a
 * permutation of the shared experts (their sum, with weight 1 each, does not see their order; a
 * family of names, no gate) with their hidden units batched over them. The gate's common translation (one vector added to every row, one scalar
 * to every bias) is the rest of the gating symmetry: the canonical form removes it
 * (`centreGate`), as it changes no barrier.
 */
export function moeLayerSymmetry(
  prefix: string,
  config: MoeLayerConfig,
  input: Group,
  output: Group,
): Required<Pick<SymmetrySpec, 'groups' | 'axes'>> & { families: ParamFamily[] } {
  const names = moeGroupNames(prefix);
  const groups: SymmetrySpec['groups'] = {
    [names.experts]: { kind: 'permutation', size: config.experts },
    [names.hidden]: { kind: 'permutation', size: config.expertWidth, batchedOver: names.experts },
  };
  const expertAxes = (hidden: string): Record<(typeof EXPERT_TENSORS)[number], AxisActions> => ({
    'fc1.weight': [writes(hidden), reads(input)],
    'fc1.bias': [writes(hidden)],
    'fc2.weight': [writes(output), reads(hidden)],
    'fc2.bias': [writes(output)],
  });
  const routed = expertAxes(names.hidden);
  const axes: Record<string, AxisActions> = { ...linearAxes(`${prefix}.gate`, names.experts, input) };
  const families: ParamFamily[] = [];
  if (isStacked(config)) {
    for (const suffix of EXPERT_TENSORS) axes[stackedName(prefix, suffix)] = [writes(names.experts), ...routed[suffix]];
  } else {
    for (let k = 0; k < config.experts; k++)
      for (const suffix of EXPERT_TENSORS) axes[expertName(prefix, k, suffix)] = routed[suffix];
    families.push({ group: names.experts, names: EXPERT_TENSORS.map((suffix) => expertName(prefix, '{k}', suffix)) });
  }
  const shared = config.sharedExperts ?? 0;
  if (shared > 0) {
    groups[names.shared] = { kind: 'permutation', size: shared };
    groups[names.sharedHidden] = { kind: 'permutation', size: config.expertWidth, batchedOver: names.shared };
    const sharedAxes = expertAxes(names.sharedHidden);
    for (let s = 0; s < shared; s++)
      for (const suffix of EXPERT_TENSORS) axes[sharedName(prefix, s, suffix)] = sharedAxes[suffix];
    families.push({ group: names.shared, names: EXPERT_TENSORS.map((suffix) => sharedName(prefix, '{k}', suffix)) });
  }
  return { groups, axes, families };
}

/**
 * The gate with its common translation removed: the mean row subtracted from every row of
 * `prefix.gate.weight`, the mean from `prefix.gate.bias`. Every gate score of a sample moves by the
 * same amount, which neither the softmax nor the top-k choice sees: the function is unchanged.
 * Returns new tensors for the gate; the other parameters are passed through.
 */
export function centreGate(params: Params, prefix: string): Params {
  const centred = (t: tf.Tensor) => tf.sub(t, tf.mean(t, 0, true));
  return {
    ...params,
    [`${prefix}.gate.weight`]: tf.tidy(() => centred(params[`${prefix}.gate.weight`])),
    [`${prefix}.gate.bias`]: tf.tidy(() => centred(params[`${prefix}.gate.bias`])),
  };
}
