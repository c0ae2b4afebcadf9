import * as tf from '@tensorflow/tfjs';
import {
  type BatchedValue,
  cpuBackend,
  defaultPlan,
  disposeParams,
  elementsEqual,
  inverse,
  maxAbsDifference,
  type Params,
  type PermutationValue,
  random,
  restrictSpec,
  Rng,
  runMatcher,
  runPlan,
  selfMatch,
  transform,
  weightMatchingMatcher,
} from '@weightspace/core';
import { expertGroups, expertMatchingMatcher } from './expert-matching';
import { moeMlp } from './moe-mlp';

beforeAll(() => cpuBackend.activate());

const matchers = [weightMatchingMatcher, expertMatchingMatcher];

describe('two-stage expert matching', () => {
  it.each(moeMlp.examples.map((c) => [JSON.stringify(c), c] as const))(
    'recovers a random expert order with random hidden orders exactly: %s',
    (_name, config) => {
      const result = selfMatch({ plugin: moeMlp, config, seed: 3 }, expertMatchingMatcher);
      const shared = config.sharedExperts ? ['moe.shared_experts', 'moe.shared_experts.hidden'] : [];
      expect(result.groups).toEqual(['moe.experts', 'moe.experts.hidden', ...shared]);
      expect(result.recovered).toBe(true);
      expect(result.residual).toBeLessThanOrEqual(1e-6);
    },
  );

  it.each(['gate', 'gram'])('with the %s cost, in a plan beside weight matching, recovers every group', (cost) => {
    for (const config of moeMlp.examples) {
      const spec = moeMlp.symmetry(config);
      const plan = defaultPlan(spec, matchers, 'moe');
      const shared = Object.keys(spec.groups).filter((g) => g.startsWith('moe.shared'));
      expect(plan).toEqual({
        'hidden.0': 'weight',
        'moe.out': 'weight',
        'moe.experts': 'moe',
        'moe.experts.hidden': 'moe',
        ...Object.fromEntries(shared.map((g) => [g, 'moe'])),
      });
      const a = moeMlp.init(config, 1);
      const g = random(spec, new Rng(5));
      const b = transform(a, spec, g);
      const found = runPlan(spec, a, b, plan, matchers, { seed: 0, options: { expertCost: cost } });
      expect(elementsEqual(found.element, inverse(spec, g), 0)).toBe(true);
      [a, b].forEach(disposeParams);
    }
  });

  it('is not fooled by a translation of B’s gate (the gate cost compares centred rows)', () => {
    const config = moeMlp.examples[1];
    const spec = restrictSpec(moeMlp.symmetry(config), ['moe.experts', 'moe.experts.hidden']);
    const a = moeMlp.init(config, 2);
    const g = random(spec, new Rng(9));
    const moved = transform(a, spec, g);
    const b: Params = {
      ...moved,
      'moe.gate.weight': tf.add(moved['moe.gate.weight'], tf.fill([1, config.width], 4)),
      'moe.gate.bias': tf.sub(moved['moe.gate.bias'], 3),
    };
    const found = runMatcher(expertMatchingMatcher, spec, a, b, { seed: 0 });
    expect(elementsEqual(found.element, inverse(spec, g), 0)).toBe(true);
  });

  it('with the gram cost, finds the expert order from the experts alone, whatever the gate', () => {
    const config = { ...moeMlp.examples[1], expertWidth: 6 };
    const spec = restrictSpec(moeMlp.symmetry(config), ['moe.experts', 'moe.experts.hidden']);
    const a = moeMlp.init(config, 3);
    const g = random(spec, new Rng(2));
    const moved = transform(a, spec, g);
    // B's gate carries no trace of the order: the gate cost cannot find it, the Gram cost must.
    const b: Params = {
      ...moved,
      'moe.gate.weight': tf.zerosLike(moved['moe.gate.weight']),
      'moe.gate.bias': tf.zerosLike(moved['moe.gate.bias']),
    };
    const order = (expertCost: string) =>
      runMatcher(expertMatchingMatcher, spec, a, b, { seed: 0, options: { expertCost } }).element['moe.experts'];
    expect(order('gram')).toEqual(inverse(spec, g)['moe.experts']);
    expect(order('gate')).not.toEqual(inverse(spec, g)['moe.experts']);
  });

  it('runs one stage only when asked: the expert order alone, or the hidden units alone', () => {
    const config = moeMlp.examples[0];
    const spec = restrictSpec(moeMlp.symmetry(config), ['moe.experts', 'moe.experts.hidden']);
    const a = moeMlp.init(config, 2);
    const g = random(spec, new Rng(4));
    const b = transform(a, spec, g);
    const target = inverse(spec, g);
    const only = (stages: string) =>
      runMatcher(expertMatchingMatcher, spec, a, b, { seed: 0, options: { stages } }).element;
    const orderOnly = only('experts');
    expect(orderOnly['moe.experts']).toEqual(target['moe.experts']);
    expect(
      ((orderOnly['moe.experts.hidden'] as BatchedValue).items as readonly PermutationValue[]).every((item) =>
        item.perm.every((v, i) => v === i),
      ),
    ).toBe(true);
    expect(Array.from((only('hidden')['moe.experts'] as PermutationValue).perm)).toEqual([0, 1, 2]);
    expect(() => only('all')).toThrow(/matcher 'moe': option stages=all is not one of both, experts, hidden/);
    const aligned = transform(b, spec, only('both'));
    expect(maxAbsDifference(a, aligned)).toBeLessThan(1e-6);
  });

  it('sorts an expert group’s tensors into the gate, those with hidden units, and the rest', () => {
    const [experts] = expertGroups(moeMlp.symmetry({ ...moeMlp.examples[0], layout: 'stacked' }));
    expect(experts.group).toBe('moe.experts');
    expect(experts.tensors.gate).toEqual(['moe.gate.weight', 'moe.gate.bias']);
    expect(experts.tensors.hidden.map((t) => [t.param, t.axis, t.side])).toEqual([
      ['moe.experts.fc1.weight', 1, 'output'],
      ['moe.experts.fc1.bias', 1, 'output'],
      ['moe.experts.fc2.weight', 2, 'input'],
    ]);
    expect(experts.tensors.rest).toEqual(['moe.experts.fc2.bias']);
  });
});
