import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { type AttentionNames, initAttention, multiHeadAttention } from './attention';
import { type CircuitNames, circuitsOf } from './attention-circuits';
import { gaussian } from './testing/invariance';

beforeAll(() => cpuBackend.activate());

const separate: AttentionNames = { layout: 'separate', q: 'q', k: 'k', v: 'v', out: 'o' };
const circuits: CircuitNames = { layout: 'circuits', qk: 'attn.qk', ov: 'attn.ov', out: 'attn.proj' };

describe('attention by circuits', () => {
  const [dim, heads] = [8, 2];
  const projections = initAttention(new Rng(4), separate, dim);
  // Biases far from zero, so the key-side bias and the folded value bias matter.
  for (const name of ['q', 'k', 'v', 'o']) projections[`${name}.bias`] = gaussian([dim], 10 + name.charCodeAt(0));
  const x = gaussian([2, 5, dim], 1) as tf.Tensor3D;
  const written = circuitsOf(
    {
      q: projections['q.weight'],
      k: projections['k.weight'],
      v: projections['v.weight'],
      out: projections['o.weight'],
      qBias: projections['q.bias'],
      vBias: projections['v.bias'],
      outBias: projections['o.bias'],
    },
    circuits,
    heads,
  );

  it.each([false, true])('computes what the projections compute (causal: %s)', (causal) => {
    const expected = multiHeadAttention(projections, separate, x, { heads, causal });
    const got = multiHeadAttention(written, circuits, x, { heads, causal });
    expect(tf.max(tf.abs(tf.sub(expected, got))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('stores one d×d circuit per head on each side, and the key bias matters', () => {
    expect(written['attn.qk.weight'].shape).toEqual([heads, dim, dim]);
    expect(written['attn.ov.weight'].shape).toEqual([heads, dim, dim]);
    const withoutKeyBias = { ...written, 'attn.qk.key_bias': tf.zerosLike(written['attn.qk.key_bias']) };
    const change = tf.sub(
      multiHeadAttention(written, circuits, x, { heads }),
      multiHeadAttention(withoutKeyBias, circuits, x, { heads }),
    );
    expect(tf.max(tf.abs(change)).dataSync()[0]).toBeGreaterThan(1e-3);
  });
});
