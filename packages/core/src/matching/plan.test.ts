import { cpuBackend } from '../backend/backend-provider';
import { disposeParams, maxAbsDifference } from '../params/params';
import { Rng } from '../random/rng';
import { elementsEqual, inverse, random } from '../symmetry/algebra';
import { restrictSpec } from '../symmetry/spec';
import { transform } from '../symmetry/transform';
import { toyBilinear, toyExperts, toyPerceptron, toyResidual } from '../testing/fixtures/toy-models';
import type { Matcher } from './matcher';
import { activationMatchingMatcher } from './activation-matching';
import { defaultPlan, runPlan } from './plan';
import { weightMatchingMatcher } from './weight-matching';

beforeAll(() => cpuBackend.activate());

describe('matching plans', () => {
  it('give each group to a matcher that supports its kind, and name a group none supports', () => {
    const spec = toyResidual.symmetry(toyResidual.examples[0]);
    const assignments: Matcher = {
      ...weightMatchingMatcher,
      id: 'assignment-stub',
      kinds: ['permutation'],
      batched: false,
      handles: undefined,
    };
    expect(() => defaultPlan(spec, [assignments])).toThrow("no registered matcher handles group 'stream' (orthogonal)");
    const orthogonal: Matcher = { ...assignments, id: 'procrustes-stub', kinds: ['orthogonal'] };
    expect(defaultPlan(spec, [assignments, orthogonal])).toEqual({
      stream: 'procrustes-stub',
      hidden: 'assignment-stub',
    });
    expect(() => defaultPlan(spec, [assignments], 'nope')).toThrow(
      "unknown matcher 'nope'; registered: assignment-stub",
    );
    // A matcher's own test narrows its kinds: weight matching takes no batched permutation group.
    const experts = toyExperts.symmetry(toyExperts.examples[0]);
    expect(() => defaultPlan(experts, [weightMatchingMatcher])).toThrow(
      "no registered matcher handles group 'hidden' (permutation)",
    );
  });

  it('give a group no tap carries to the next matcher when the preferred one needs taps', () => {
    const spec = toyPerceptron.symmetry(toyPerceptron.examples[0]);
    const groups = Object.keys(spec.groups);
    expect(groups.length).toBeGreaterThanOrEqual(2);
    const features = { linear: [], relu: [], units: { [groups[0]]: ['tap'] } };
    const plan = defaultPlan(spec, [weightMatchingMatcher, activationMatchingMatcher], 'activation', features);
    expect(plan).toEqual(Object.fromEntries(groups.map((g, k) => [g, k === 0 ? 'activation' : 'weight'])));
    // Without the graph the plan cannot tell, and gives activation matching every permutation group.
    const blind = defaultPlan(spec, [weightMatchingMatcher, activationMatchingMatcher], 'activation');
    expect(Object.values(blind).every((m) => m === 'activation')).toBe(true);
  });

  it('run the matchers and compose their elements', () => {
    const config = toyResidual.examples[0];
    const spec = restrictSpec(toyResidual.symmetry(config), ['hidden']);
    const a = toyResidual.init(config, 0);
    const g = random(spec, new Rng(4));
    const b = transform(a, spec, g);
    const result = runPlan(spec, a, b, defaultPlan(spec, [weightMatchingMatcher]), [weightMatchingMatcher], {
      seed: 0,
    });
    expect(elementsEqual(result.element, inverse(spec, g))).toBe(true);
    expect(result.objectiveAfter).toBeGreaterThan(result.objectiveBefore);
    const aligned = transform(b, spec, result.element);
    expect(maxAbsDifference(a, aligned)).toBe(0);
    [a, b, aligned].forEach(disposeParams);
  });
});

describe('weight matching of block permutations', () => {
  it('recovers a permutation of attention heads, moving each head as a block', () => {
    const config = { input: 5, heads: 4, headDim: 3, classes: 2 };
    const spec = restrictSpec(toyBilinear.symmetry(config), ['heads']);
    const a = toyBilinear.init(config, 2);
    const g = random(spec, new Rng(8));
    const b = transform(a, spec, g);
    const result = weightMatchingMatcher.match(spec, a, b, { seed: 1 });
    expect(elementsEqual(result.element, inverse(spec, g))).toBe(true);
    const aligned = transform(b, spec, result.element);
    expect(maxAbsDifference(a, aligned)).toBe(0);
  });

  it('starts from a given element: from the answer it stops after one sweep', () => {
    const config = toyPerceptron.examples[0];
    const spec = toyPerceptron.symmetry(config);
    const a = toyPerceptron.init(config, 0);
    const g = random(spec, new Rng(12));
    const b = transform(a, spec, g);
    const cold = weightMatchingMatcher.match(spec, a, b, { seed: 0 });
    const warm = weightMatchingMatcher.match(spec, a, b, { seed: 0, init: inverse(spec, g) });
    expect(elementsEqual(warm.element, inverse(spec, g))).toBe(true);
    expect(warm.iterations).toBe(1);
    expect(cold.iterations).toBeGreaterThan(1);
  });

  it('refuses a group it does not handle, naming it', () => {
    const spec = toyExperts.symmetry(toyExperts.examples[0]);
    const a = toyExperts.init(toyExperts.examples[0], 0);
    expect(() => weightMatchingMatcher.match(spec, a, a, { seed: 0 })).toThrow(
      "group 'hidden' (permutation) is batched over 'experts'",
    );
    const invertible = { ...spec, groups: { ...spec.groups, experts: { kind: 'invertible' as const, size: 3 } } };
    expect(() => weightMatchingMatcher.match(invertible, a, a, { seed: 0, groups: ['experts'] })).toThrow(
      "group 'experts' is invertible",
    );
  });
});
