import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import type { Params } from '@weightspace/core';
import type { AttentionNames } from './attention';
import { embeddingAxes } from './embedding';
import { linearAxes } from './linear';
import { gaussian, invariance } from './testing/invariance';
import { gelu } from './gelu';
import {
  initTransformerBlock,
  nanoGptBlockNames,
  timmBlockNames,
  transformerBlock,
  transformerBlockAxes,
  type TransformerBlockNames,
} from './transformer-block';

beforeAll(() => cpuBackend.activate());

describe('transformer block', () => {
  it('GELU is x·Φ(x)', () => {
    const phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    const xs = [-3, -1, -0.2, 0, 0.5, 2];
    Array.from(gelu(tf.tensor1d(xs)).dataSync()).forEach((v, i) =>
      expect(Math.abs(v - xs[i] * phi(xs[i]))).toBeLessThan(1e-5),
    );
  });

  it('names its parameters as timm and nanoGPT save them', () => {
    const timm = Object.keys(
      initTransformerBlock(new Rng(1), timmBlockNames('blocks.0'), { dim: 8, hidden: 16, heads: 2 }, 'layernorm'),
    ).sort();
    expect(timm).toEqual(
      [
        'norm1.weight',
        'norm1.bias',
        'attn.qkv.weight',
        'attn.qkv.bias',
        'attn.proj.weight',
        'attn.proj.bias',
        'norm2.weight',
        'norm2.bias',
        'mlp.fc1.weight',
        'mlp.fc1.bias',
        'mlp.fc2.weight',
        'mlp.fc2.bias',
      ]
        .map((n) => `blocks.0.${n}`)
        .sort(),
    );
    const gpt = initTransformerBlock(
      new Rng(1),
      nanoGptBlockNames('transformer.h.1'),
      { dim: 8, hidden: 32, heads: 2 },
      'rmsnorm',
    );
    expect(gpt['transformer.h.1.attn.c_attn.weight'].shape).toEqual([24, 8]);
    expect(gpt['transformer.h.1.mlp.c_fc.weight'].shape).toEqual([32, 8]);
    expect(gpt['transformer.h.1.ln_1.bias']).toBeUndefined();
  });

  // A two-block decoder between a token embedding and a readout, with separate q/k/v so that
  // heads can permute: the stream, each block's heads and each block's MLP units permuted at once.
  it.each(['layernorm', 'rmsnorm'] as const)(
    'declares stream, head and MLP permutations that leave a %s decoder unchanged',
    (norm) => {
      const [dim, heads, hidden] = [8, 2, 12];
      const names = (i: number): TransformerBlockNames => {
        const fusedNames = timmBlockNames(`blocks.${i}`);
        const attention: AttentionNames = {
          layout: 'separate',
          q: `blocks.${i}.attn.q`,
          k: `blocks.${i}.attn.k`,
          v: `blocks.${i}.attn.v`,
          out: `blocks.${i}.attn.proj`,
        };
        return { ...fusedNames, attention };
      };
      const rng = new Rng(7);
      const params: Params = {
        'wte.weight': gaussian([11, dim], 1),
        ...initTransformerBlock(rng.fork('0'), names(0), { dim, hidden, heads }, norm),
        ...initTransformerBlock(rng.fork('1'), names(1), { dim, hidden, heads }, norm),
        'head.weight': gaussian([11, dim], 2),
      };
      const ids = tf.tensor2d([[1, 4, 4, 9, 0]], undefined, 'int32');
      const forward = (p: Params) => {
        let h = tf.gather(p['wte.weight'], ids) as tf.Tensor3D;
        for (const i of [0, 1]) h = transformerBlock(p, names(i), h, { heads, causal: true, norm });
        return tf.einsum('ntd,vd->ntv', h, p['head.weight']);
      };
      const axes = {
        ...embeddingAxes('wte', 'stream'),
        ...transformerBlockAxes(names(0), norm, { stream: 'stream', heads: 'heads.0', hidden: 'mlp.0' }),
        ...transformerBlockAxes(names(1), norm, { stream: 'stream', heads: 'heads.1', hidden: 'mlp.1' }),
        ...linearAxes('head', null, 'stream', false),
      };
      const groups = {
        stream: { kind: 'permutation' as const, size: dim },
        'heads.0': { kind: 'block-permutation' as const, size: heads, blockSize: dim / heads },
        'heads.1': { kind: 'block-permutation' as const, size: heads, blockSize: dim / heads },
        'mlp.0': { kind: 'permutation' as const, size: hidden },
        'mlp.1': { kind: 'permutation' as const, size: hidden },
      };
      const { outputChange, paramsMoved } = invariance(forward, params, groups, axes, 3);
      expect(outputChange).toBeLessThan(1e-4);
      expect(paramsMoved).toBeGreaterThan(1e-2);
    },
  );
});

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): an independent reference for GELU. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return Math.sign(x) * y;
}
