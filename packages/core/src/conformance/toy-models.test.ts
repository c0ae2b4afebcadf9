import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { weightMatchingMatcher } from '../matching/weight-matching';
import { Rng } from '../random/rng';
import { elementsEqual, inverse, random } from '../symmetry/algebra';
import { restrictSpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import type { AnyArchitecture } from '../plugin/architecture';
import { toyModels, toyPerceptron, toyResidual } from '../testing/fixtures/toy-models';
import type { GroupElement, PermutationValue } from '../symmetry/element';
import { maxAbsDifference } from '../params/params';
import {
  checkSpecValidates,
  compositionError,
  groupsBreakingInvariance,
  logitsDifference,
  outputChangeUnderRandomElement,
  paramsMovedByRandomElement,
  removedGroups,
  removedSymmetryOutputChanges,
  roundTripError,
  selfMatch,
} from './conformance';

beforeAll(() => cpuBackend.activate());

describe.each(toyModels.map((plugin) => [plugin.id, plugin] as const))('conformance of %s', (_id, plugin) => {
  const config = plugin.examples[0];
  for (const seed of [0, 1, 2]) {
    it(`keeps outputs under a random element (seed ${seed})`, () => {
      expect(outputChangeUnderRandomElement({ plugin, config, seed })).toBeLessThanOrEqual(1e-4);
    });
  }
  it('validates its spec', () => expect(() => checkSpecValidates({ plugin, config })).not.toThrow());
  it('g then g⁻¹ restores the params', () =>
    expect(roundTripError({ plugin, config, seed: 3 })).toBeLessThanOrEqual(1e-4));
  it('compose(g, h) acts as g then h', () =>
    expect(compositionError({ plugin, config, seed: 4 })).toBeLessThanOrEqual(1e-4));

  it('a random element really moves the parameters', () => {
    expect(paramsMovedByRandomElement({ plugin, config, seed: 9 })).toBeGreaterThan(1e-3);
  });

  it('a perturbation outside the group changes the outputs', () => {
    const params = plugin.init(config, 0);
    const other = plugin.init(config, 1);
    expect(logitsDifference({ plugin, config }, params, other)).toBeGreaterThan(1e-2);
  });
});

describe('batched groups', () => {
  it('inverse of an element with batched items undoes it and is not the item-wise inverse', () => {
    const plugin = toyModels[2];
    const config = plugin.examples[0];
    const spec = plugin.symmetry(config);
    const g = random(spec, new Rng(21));
    const experts = (g.experts as PermutationValue).perm;
    expect(Array.from(experts)).not.toEqual(Array.from(experts).map((_, i) => i));
    const inv = inverse(spec, g);
    expect(elementsEqual(inverse(spec, inv), g)).toBe(true);
    // Item-wise: invert each expert's hidden permutation where it stands. Since the items move
    // with their experts, this pairs each inverse with the wrong expert.
    const hidden = g.hidden as { kind: 'batched'; items: PermutationValue[] };
    const itemWise: GroupElement = {
      experts: inv.experts,
      hidden: {
        kind: 'batched',
        items: hidden.items.map((item) => ({ kind: 'permutation', perm: invertPermutation(item.perm) })),
      },
    };
    expect(elementsEqual(itemWise, inv)).toBe(false);
    const params = plugin.init(config, 0);
    const moved = transform(params, spec, g);
    expect(maxAbsDifference(params, transform(moved, spec, inv))).toBe(0);
    expect(maxAbsDifference(params, transform(moved, spec, itemWise))).toBeGreaterThan(1e-2);
  });

  it('restricting to the outer group drops the batched one', () => {
    const plugin = toyModels[2];
    const restricted = restrictSpec(plugin.symmetry(plugin.examples[0]), ['experts']);
    expect(Object.keys(restricted.groups)).toEqual(['experts']);
    // The batched group's actions go with it; the outer group's stay.
    expect(restricted.axes['experts.w1']).toEqual([[{ group: 'experts', as: 'g' }], null, null]);
  });
});

function invertPermutation(perm: Int32Array): Int32Array {
  const out = new Int32Array(perm.length);
  perm.forEach((p, i) => (out[p] = i));
  return out;
}

describe('what the suite refuses', () => {
  const config = { input: 6, hidden: [5, 4] as [number, number], classes: 3 };

  it('a spec whose group acts on no parameter: the element moves nothing', () => {
    const idle: AnyArchitecture = {
      ...toyPerceptron,
      symmetry: () => ({ groups: { idle: { kind: 'permutation', size: 5 } }, axes: {} }),
    };
    expect(paramsMovedByRandomElement({ plugin: idle, config, seed: 1 })).toBe(0);
  });

  // A variant that declares no groups yet computes exactly what its base computes: the symmetry
  // is not removed. One that scales each first-layer row by its own fixed factor really removes
  // the first hidden permutation (and not the second).
  const claimsOnly: AnyArchitecture = {
    ...toyPerceptron,
    id: 'toy.claims-only',
    symmetry: () => ({ groups: {}, axes: {} }),
  };
  const rowScaled: AnyArchitecture = {
    ...toyPerceptron,
    id: 'toy.row-scaled',
    apply: (c, p, x, options) => {
      const w = p['layers.0.weight'];
      const scale = tf.linspace(0.5, 2, w.shape[0]).expandDims(1);
      return toyPerceptron.apply(c, { ...p, 'layers.0.weight': tf.mul(w, scale) }, x, options);
    },
    symmetry: (c) => restrictSpec(toyPerceptron.symmetry(c), ['h1']),
  };

  it('a variant that only claims to remove the symmetry leaves the outputs unchanged', () => {
    const subject = { plugin: claimsOnly, base: toyPerceptron, config, seed: 2 };
    expect(removedGroups(subject)).toEqual(['h0', 'h1']);
    for (const change of Object.values(removedSymmetryOutputChanges(subject))) expect(change).toBeLessThan(1e-5);
    for (const change of Object.values(removedSymmetryOutputChanges(subject, { trainingStep: true })))
      expect(change).toBeLessThan(1e-5);
  });

  it('a variant that really removes a group changes the outputs under it, before and after training', () => {
    const subject = { plugin: rowScaled, base: toyPerceptron, config, seed: 2 };
    expect(removedGroups(subject)).toEqual(['h0']);
    expect(removedSymmetryOutputChanges(subject)['h0']).toBeGreaterThan(1e-3);
    expect(removedSymmetryOutputChanges(subject, { trainingStep: true })['h0']).toBeGreaterThan(1e-3);
  });
});

describe('the three actions are distinct for invertible groups', () => {
  it('declaring the key side as g instead of inverse-transpose breaks invariance', () => {
    const plugin = toyModels[1];
    const config = plugin.examples[0];
    const wrong = {
      ...plugin,
      symmetry: (c: typeof config) => {
        const spec = plugin.symmetry(c);
        return {
          ...spec,
          axes: {
            ...spec.axes,
            'k.weight': [
              [
                { group: 'heads', as: 'g' as const },
                { group: 'qk', as: 'g' as const },
              ],
              null,
            ],
          },
        };
      },
    };
    expect(outputChangeUnderRandomElement({ plugin: wrong, config, seed: 0 })).toBeGreaterThan(1e-2);
    // One group at a time names the one at fault: qk, batched over the heads, is tested with them.
    expect(groupsBreakingInvariance({ plugin: wrong, config, seed: 0 }, 1e-4).map((g) => g.split(':')[0])).toEqual([
      'heads (with qk, vo batched over it)',
    ]);
    expect(groupsBreakingInvariance({ plugin, config, seed: 0 }, 1e-4)).toEqual([]);
  });
});

describe('weight matching beyond permutations, on toy models', () => {
  it('recovers an orthogonal stream map together with the hidden permutation', () => {
    const config = toyResidual.examples[0];
    const result = selfMatch({ plugin: toyResidual, config, seed: 5 }, weightMatchingMatcher);
    expect(result.groups).toEqual(['stream', 'hidden']);
    expect(result.recovered).toBe(true);
    expect(result.residual).toBeLessThanOrEqual(1e-5);
  });

  it('recovers the head permutation by circuits and each head’s invertible maps', () => {
    const plugin = toyModels[1];
    const config = plugin.examples[0];
    const result = selfMatch({ plugin, config, seed: 4 }, weightMatchingMatcher);
    expect(result.groups).toEqual(['heads', 'qk', 'vo']);
    expect(result.recovered).toBe(true);
    expect(result.residual).toBeLessThanOrEqual(1e-4);
  });
});
