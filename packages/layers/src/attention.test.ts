import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import type { Params } from '@weightspace/core';
import {
  type AttentionGroups,
  type AttentionNames,
  attentionAxes,
  initAttention,
  multiHeadAttention,
} from './attention';
import type { LayerAxes } from './axes';
import { gaussian, invariance } from './testing/invariance';

beforeAll(() => cpuBackend.activate());

const separate: AttentionNames = { layout: 'separate', q: 'q', k: 'k', v: 'v', out: 'o' };
const fused: AttentionNames = { layout: 'fused', qkv: 'qkv', out: 'o' };

/** Attention written out in float64, one head at a time, from separate q, k, v, o weights. */
function naiveAttention(
  x: number[][][],
  p: Record<string, number[][] | number[]>,
  heads: number,
  causal: boolean,
): number[][][] {
  const project = (name: string, row: number[]) =>
    (p[`${name}.weight`] as number[][]).map((w, o) =>
      w.reduce((s, v, i) => s + v * row[i], (p[`${name}.bias`] as number[])[o]),
    );
  return x.map((tokens) => {
    const [q, k, v] = ['q', 'k', 'v'].map((name) => tokens.map((t) => project(name, t)));
    const dim = tokens[0].length;
    const dh = dim / heads;
    const joined = tokens.map((_, i) => {
      const out: number[] = [];
      for (let h = 0; h < heads; h++) {
        const cols = Array.from({ length: dh }, (_, c) => h * dh + c);
        const visible = tokens.map((__, j) => j).filter((j) => !causal || j <= i);
        const scores = visible.map((j) => cols.reduce((s, c) => s + q[i][c] * k[j][c], 0) / Math.sqrt(dh));
        const top = Math.max(...scores);
        const weights = scores.map((s) => Math.exp(s - top));
        const total = weights.reduce((s, w) => s + w, 0);
        for (const c of cols) out.push(visible.reduce((s, j, n) => s + (weights[n] / total) * v[j][c], 0));
      }
      return out;
    });
    return joined.map((row) => project('o', row));
  });
}

const arrays = (params: Record<string, tf.Tensor>) =>
  Object.fromEntries(Object.entries(params).map(([k, t]) => [k, t.arraySync() as number[][]]));

describe('multi-head attention', () => {
  const dim = 8;
  const heads = 2;
  const x = gaussian([2, 5, dim], 1) as tf.Tensor3D;
  const params = initAttention(new Rng(2), separate, dim);

  it.each([false, true])('matches attention written out head by head (causal: %s)', (causal) => {
    const expected = naiveAttention(x.arraySync() as number[][][], arrays(params), heads, causal).flat(2);
    const got = Array.from(multiHeadAttention(params, separate, x, { heads, causal }).dataSync());
    got.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-4));
  });

  it('a causal layer’s output at a position ignores later positions', () => {
    const changed = tf.concat([x.slice([0, 0, 0], [2, 3, dim]), gaussian([2, 2, dim], 9)], 1) as tf.Tensor3D;
    const before = multiHeadAttention(params, separate, x, { heads, causal: true }).slice([0, 0, 0], [2, 3, dim]);
    const after = multiHeadAttention(params, separate, changed, { heads, causal: true }).slice([0, 0, 0], [2, 3, dim]);
    expect(tf.max(tf.abs(tf.sub(before, after))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it('a fused q/k/v projection is the three projections stacked in q, k, v order', () => {
    const stacked = {
      'qkv.weight': tf.concat(['q', 'k', 'v'].map((n) => params[`${n}.weight`])),
      'qkv.bias': tf.concat(['q', 'k', 'v'].map((n) => params[`${n}.bias`])),
      'o.weight': params['o.weight'],
      'o.bias': params['o.bias'],
    };
    expect(Object.keys(initAttention(new Rng(2), fused, dim)).sort()).toEqual(Object.keys(stacked).sort());
    const difference = tf.sub(
      multiHeadAttention(stacked, fused, x, { heads }),
      multiHeadAttention(params, separate, x, { heads }),
    );
    expect(tf.max(tf.abs(difference)).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('declares head and stream permutations (attentionAxes) that leave a layer between two projections unchanged', () => {
    const rng = new Rng(3);
    // A stream written by an input projection and read back by a readout, around the attention.
    const all: Params = {
      ...params,
      'in.weight': gaussian([dim, 3], 4),
      'read.weight': gaussian([2, dim], 5),
    };
    const tokens = gaussian([2, 5, 3], 6);
    const forward = (p: Params) => {
      const stream = tf.einsum('ntc,dc->ntd', tokens, p['in.weight']) as tf.Tensor3D;
      const mixed = tf.add(stream, multiHeadAttention(p, separate, stream, { heads, causal: true }));
      return tf.einsum('ntd,kd->ntk', mixed, p['read.weight']);
    };
    const axes = {
      ...attentionAxes(separate, 'stream', { heads: 'heads' }),
      'in.weight': [[{ group: 'stream', as: 'g' as const }], null],
      'read.weight': [null, [{ group: 'stream', as: 'inverse' as const }]],
    };
    const groups = {
      stream: { kind: 'permutation' as const, size: dim },
      heads: { kind: 'block-permutation' as const, size: heads, blockSize: dim / heads },
    };
    const { outputChange, paramsMoved } = invariance(forward, all, groups, axes, rng.int(1000));
    expect(outputChange).toBeLessThan(1e-4);
    expect(paramsMoved).toBeGreaterThan(1e-2);
  });

  it('declares fused q/k/v segments, heads and per-head maps that leave the layer unchanged, and each is needed', () => {
    const timm: AttentionNames = { layout: 'fused', qkv: 'attn.qkv', out: 'attn.proj' };
    const stacked: Params = {
      'attn.qkv.weight': tf.concat([params['q.weight'], params['k.weight'], params['v.weight']]),
      'attn.qkv.bias': tf.concat([params['q.bias'], params['k.bias'], params['v.bias']]),
      'attn.proj.weight': params['o.weight'],
      'attn.proj.bias': params['o.bias'],
      'in.weight': gaussian([dim, 3], 4),
      'read.weight': gaussian([2, dim], 5),
    };
    const tokens = gaussian([2, 5, 3], 6);
    const forward = (p: Params) => {
      const stream = tf.einsum('ntc,dc->ntd', tokens, p['in.weight']) as tf.Tensor3D;
      const mixed = tf.add(stream, multiHeadAttention(p, timm, stream, { heads, causal: true }));
      return tf.einsum('ntd,kd->ntk', mixed, p['read.weight']);
    };
    const axes = (groups: AttentionGroups) => ({
      ...attentionAxes(timm, 'stream', groups),
      'in.weight': [[{ group: 'stream', as: 'g' as const }], null],
      'read.weight': [null, [{ group: 'stream', as: 'inverse' as const }]],
    });
    const headDim = dim / heads;
    const groups = {
      stream: { kind: 'permutation' as const, size: dim },
      heads: { kind: 'block-permutation' as const, size: heads, blockSize: headDim },
      qk: { kind: 'invertible' as const, size: headDim, batchedOver: 'heads' },
      ov: { kind: 'invertible' as const, size: headDim, batchedOver: 'heads' },
    };
    const full = invariance(forward, stacked, groups, axes({ heads: 'heads', qk: 'qk', ov: 'ov' }), 7);
    expect(full.outputChange).toBeLessThan(1e-4);
    expect(full.paramsMoved).toBeGreaterThan(1e-2);
    // The per-head map of v applied without the output projection's inverse breaks the layer.
    const broken: LayerAxes = axes({ heads: 'heads', qk: 'qk', ov: 'ov' });
    broken['attn.proj.weight'] = [[{ group: 'stream', as: 'g' }], [{ group: 'heads', as: 'inverse' }]];
    expect(invariance(forward, stacked, groups, broken, 7).outputChange).toBeGreaterThan(1e-2);
  });
});
