import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { embedding, embeddingAxes, initEmbedding } from './embedding';
import { initPatchEmbedding, patchEmbedding, patchEmbeddingAxes } from './patch-embedding';
import { gaussian } from './testing/invariance';

beforeAll(() => cpuBackend.activate());

describe('embeddings', () => {
  it('an embedding returns the weight rows at the ids, N(0, std²) initialised', () => {
    const params = initEmbedding(new Rng(1), 'wte', 50, 4, 0.02);
    const rows = params['wte.weight'].arraySync() as number[][];
    const out = embedding(
      params,
      'wte',
      tf.tensor2d(
        [
          [3, 0],
          [49, 3],
        ],
        undefined,
        'int32',
      ),
    ).arraySync() as number[][][];
    expect(out).toEqual([
      [rows[3], rows[0]],
      [rows[49], rows[3]],
    ]);
    const all = rows.flat();
    const std = Math.sqrt(all.reduce((s, v) => s + v * v, 0) / all.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    expect(embeddingAxes('wte', 'stream')).toEqual({ 'wte.weight': [null, [{ group: 'stream', as: 'g' }]] });
  });

  it('a patch embedding maps each patch, in row-major order, through the projection', () => {
    const [patch, channels, dim] = [2, 3, 5];
    const params = initPatchEmbedding(new Rng(2), 'patch_embed', channels, dim, patch);
    expect(params['patch_embed.proj.weight'].shape).toEqual([dim, channels, patch, patch]);
    const images = gaussian([1, 4, 6, channels], 3) as tf.Tensor4D;
    const tokens = patchEmbedding(params, 'patch_embed', images, patch);
    expect(tokens.shape).toEqual([1, 6, dim]);
    // Token 4 is the patch at row 1, column 1: pixels (2..3, 2..3).
    const image = images.arraySync()[0];
    const w = params['patch_embed.proj.weight'].arraySync() as number[][][][];
    const b = Array.from(params['patch_embed.proj.bias'].dataSync());
    const expected = w.map((filter, d) =>
      filter.reduce(
        (s, channel, c) =>
          s + channel.reduce((t, row, a) => t + row.reduce((u, v, bb) => u + v * image[2 + a][2 + bb][c], 0), 0),
        b[d],
      ),
    );
    Array.from(tokens.arraySync()[0][4]).forEach((v, d) => expect(Math.abs(v - expected[d])).toBeLessThan(1e-5));
    expect(Object.keys(patchEmbeddingAxes('patch_embed', 'stream'))).toEqual([
      'patch_embed.proj.weight',
      'patch_embed.proj.bias',
    ]);
  });
});
