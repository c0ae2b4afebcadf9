import * as tf from '@tensorflow/tfjs';
import { SpecError } from '../errors/errors';
import { cpuBackend } from '../backend/backend-provider';
import { maxAbsDifference, type Params, shapesOf } from '../params/params';
import { Rng } from '../random/rng';
import { inverse, random } from './algebra';
import { stackedSpec, stackShapes } from './families';
import type { SymmetrySpec } from './spec';
import type { BatchedValue, PermutationValue } from './element';
import { transform } from './transform';
import { validateSpec } from './validate';

beforeAll(() => cpuBackend.activate());

/** Three experts of 4 hidden units on 2 inputs, saved one tensor family per expert, and their gate. */
const n = 3;
const h = 4;
const d = 2;
const spec: SymmetrySpec = {
  groups: {
    experts: { kind: 'permutation', size: n },
    'experts.hidden': { kind: 'permutation', size: h, batchedOver: 'experts' },
  },
  axes: {
    'gate.weight': [[{ group: 'experts', as: 'g' }], null],
    ...Object.fromEntries(
      Array.from({ length: n }, (_, k) => [
        [`experts.${k}.fc1.weight`, [[{ group: 'experts.hidden', as: 'g' }], null]],
        [`experts.${k}.fc2.weight`, [null, [{ group: 'experts.hidden', as: 'inverse' }]]],
      ]).flat(),
    ),
  },
  families: [{ group: 'experts', names: ['experts.{k}.fc1.weight', 'experts.{k}.fc2.weight'] }],
};

function params(seed: number): Params {
  const out: Params = { 'gate.weight': tf.randomNormal([n, d], 0, 1, 'float32', seed) };
  for (let k = 0; k < n; k++) {
    out[`experts.${k}.fc1.weight`] = tf.randomNormal([h, d], 0, 1, 'float32', seed + 10 + k);
    out[`experts.${k}.fc2.weight`] = tf.randomNormal([d, h], 0, 1, 'float32', seed + 20 + k);
  }
  return out;
}

/** The layer's output: Σ_k softmax(gate x)_k · fc2_k relu(fc1_k x). Invariant under the symmetry. */
function forward(p: Params, x: tf.Tensor2D): tf.Tensor {
  const weights = tf.softmax(tf.matMul(x, p['gate.weight'], false, true));
  const outputs = Array.from({ length: n }, (_, k) =>
    tf.matMul(
      tf.relu(tf.matMul(x, p[`experts.${k}.fc1.weight`], false, true)),
      p[`experts.${k}.fc2.weight`],
      false,
      true,
    ),
  );
  return tf.addN(outputs.map((o, k) => tf.mul(o, weights.slice([0, k], [-1, 1]))));
}

describe('families of parameter names', () => {
  it('stack each template into one tensor whose leading axis the family group acts on', () => {
    const view = stackedSpec(spec);
    expect(Object.keys(view.axes).sort()).toEqual(['experts.{k}.fc1.weight', 'experts.{k}.fc2.weight', 'gate.weight']);
    expect(view.axes['experts.{k}.fc1.weight']).toEqual([
      [{ group: 'experts', as: 'g' }],
      [{ group: 'experts.hidden', as: 'g' }],
      null,
    ]);
    expect(stackShapes(spec, shapesOf(params(0)))['experts.{k}.fc2.weight']).toEqual([n, d, h]);
  });

  it('move member k to where the permutation sends it, with its own hidden permutation, and keep the function', () => {
    const p = params(1);
    const g = random(spec, new Rng(4));
    const moved = transform(p, spec, g);
    const perm = (g.experts as PermutationValue).perm;
    const items = (g['experts.hidden'] as BatchedValue).items as readonly PermutationValue[];
    expect(Array.from(perm)).not.toEqual([0, 1, 2]);
    for (let k = 0; k < n; k++) {
      // Member k of the moved model is member perm[k], its rows permuted by that expert's item.
      const expected = tf.gather(p[`experts.${perm[k]}.fc1.weight`], items[perm[k]].perm);
      expect(maxAbsDifference({ w: moved[`experts.${k}.fc1.weight`] }, { w: expected })).toBe(0);
    }
    const x = tf.randomNormal([5, d], 0, 1, 'float32', 9) as tf.Tensor2D;
    expect(tf.max(tf.abs(tf.sub(forward(p, x), forward(moved, x)))).dataSync()[0]).toBeLessThan(1e-5);
    const back = transform(moved, spec, inverse(spec, g));
    expect(maxAbsDifference(p, back)).toBeLessThan(1e-6);
  });

  it('are validated against shapes, naming the member at fault', () => {
    const p = params(2);
    expect(() => validateSpec(spec, shapesOf(p), 'toy.moe')).not.toThrow();
    const wrong = { ...shapesOf(p), 'experts.2.fc1.weight': [h + 1, d] };
    expect(() => validateSpec(spec, wrong, 'toy.moe')).toThrow(
      /toy\.moe: family of 'experts': 'experts\.2\.fc1\.weight' has shape \[5, 2\] but 'experts\.0\.fc1\.weight' has \[4, 2\]/,
    );
    const { ['experts.1.fc2.weight']: _gone, ...missing } = shapesOf(p);
    expect(() => validateSpec(spec, missing, 'toy.moe')).toThrow(SpecError);
    expect(() => validateSpec(spec, missing, 'toy.moe')).toThrow(/no parameter 'experts\.1\.fc2\.weight'/);
  });
});
