import * as tf from '@tensorflow/tfjs';
import { cpuBackend, Rng } from '@weightspace/core';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { effectiveWeight } from './asymmetric-weight';
import { fixedEntries } from './fixed-entries';
import { figlu, figluMatrix } from './figlu';

beforeAll(() => cpuBackend.activate());

describe('fixed entries', () => {
  it('fix exactly n_fix entries per row at κ-scaled values, a different pattern per row', () => {
    const { mask, values } = fixedEntries('layers.0.weight', 40, 30, 6, 0.25, 1);
    const patterns = new Set<string>();
    for (let r = 0; r < 40; r++) {
      const row = Array.from(mask.subarray(r * 30, (r + 1) * 30));
      expect(row.filter((m) => m === 0)).toHaveLength(6);
      row.forEach((m, c) => {
        if (m === 1) expect(values[r * 30 + c]).toBe(0);
        else expect(values[r * 30 + c]).not.toBe(0);
      });
      patterns.add(row.join(''));
    }
    expect(patterns.size).toBe(40);
    const std = Math.sqrt(Array.from(values).reduce((s, v) => s + v * v, 0) / (40 * 6));
    expect(std).toBeGreaterThan(0.15);
    expect(std).toBeLessThan(0.35);
  });

  it('depend only on (seed, layer key, row)', () => {
    const a = fixedEntries('layers.0.weight', 10, 20, 4, 1, 3);
    // Other layers and seeds drawn in between, and Math.random unusable: no shared state is read.
    fixedEntries('layers.1.weight', 7, 9, 2, 1, 5);
    fixedEntries('layers.0.weight', 10, 20, 4, 1, 8);
    const random = jest.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('fixed entries must not draw from Math.random');
    });
    let b: ReturnType<typeof fixedEntries>;
    try {
      b = fixedEntries('layers.0.weight', 10, 20, 4, 1, 3);
    } finally {
      random.mockRestore();
    }
    expect(Array.from(b.mask)).toEqual(Array.from(a.mask));
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    // Rows do not depend on how many rows the layer has.
    const taller = fixedEntries('layers.0.weight', 12, 20, 4, 1, 3);
    expect(Array.from(taller.mask.subarray(0, 200))).toEqual(Array.from(a.mask));
    expect(Array.from(fixedEntries('layers.1.weight', 10, 20, 4, 1, 3).mask)).not.toEqual(Array.from(a.mask));
    expect(Array.from(fixedEntries('layers.0.weight', 10, 20, 4, 1, 4).mask)).not.toEqual(Array.from(a.mask));
  });

  it('are the same in two separate processes', () => {
    const run = () =>
      execFileSync(
        process.execPath,
        [
          join(__dirname, '..', '..', '..', 'tools', 'scripts', 'run-ts.js'),
          join(__dirname, 'testing', 'print-masks.ts'),
        ],
        { encoding: 'utf8' },
      ).trim();
    const { mask, values } = fixedEntries('layers.1.weight', 64, 48, 12, 0.5, 7);
    const f = figluMatrix('layers.0', 16, 7);
    const here = createHash('sha256')
      .update(Buffer.from(mask.buffer))
      .update(Buffer.from(values.buffer))
      .update(Buffer.from(f.buffer))
      .digest('hex');
    const first = run();
    const second = run();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(first).toBe(here);
  }, 60000);

  it('rejects an n_fix larger than the row', () => {
    expect(() => fixedEntries('fc', 2, 3, 4, 1)).toThrow("layer 'fc': n_fix 4 must be an integer in [0, 3]");
  });
});

describe('effective weight', () => {
  it('never moves fixed entries, even under weight decay, while training moves the rest', () => {
    const { mask, values } = fixedEntries('w', 6, 5, 2, 1, 0);
    const m = tf.tensor2d(mask, [6, 5]);
    const fixed = tf.tensor2d(values, [6, 5]);
    const w = tf.variable(tf.randomNormal([6, 5], 0, 1, 'float32', 1));
    const x = tf.randomNormal([32, 5], 0, 1, 'float32', 2);
    const target = tf.randomNormal([32, 6], 0, 1, 'float32', 3);
    const before = effectiveWeight(w, m, fixed).dataSync().slice();
    const opt = tf.train.momentum(0.1, 0.9);
    for (let step = 0; step < 20; step++) {
      opt.minimize(
        () =>
          tf.add(
            tf.mean(tf.square(tf.sub(tf.matMul(x, tf.transpose(effectiveWeight(w, m, fixed))), target))),
            tf.mul(0.05, tf.sum(tf.square(w))),
          ) as tf.Scalar,
      );
    }
    const after = effectiveWeight(w, m, fixed).dataSync();
    let moved = 0;
    mask.forEach((keep, i) => {
      if (keep === 0) expect(after[i]).toBe(values[i]);
      else if (Math.abs(after[i] - before[i]) > 1e-3) moved++;
    });
    expect(moved).toBeGreaterThan(15);
  });
});

describe('FiGLU', () => {
  it('computes sigmoid(Fx) ⊙ x on the last axis, for vectors and feature maps', () => {
    const f = tf.tensor2d(figluMatrix('l', 3, 0), [3, 3]);
    const x = tf.tensor2d([[1, -2, 0.5]]);
    const F = f.arraySync();
    const expected = [1, -2, 0.5].map(
      (xi, i) => xi / (1 + Math.exp(-F[i].reduce((s, fij, j) => s + fij * [1, -2, 0.5][j], 0))),
    );
    Array.from(figlu(x, f).dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    const maps = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 5);
    const out = figlu(maps, f);
    expect(out.shape).toEqual([2, 4, 4, 3]);
    const pixel = maps.slice([1, 2, 3, 0], [1, 1, 1, 3]).reshape([1, 3]);
    Array.from(out.slice([1, 2, 3, 0], [1, 1, 1, 3]).dataSync()).forEach((v, i) =>
      expect(v).toBeCloseTo(figlu(pixel, f).dataSync()[i], 5),
    );
  });

  it('is not permutation-equivariant, unlike an elementwise nonlinearity', () => {
    const d = 8;
    const f = tf.tensor2d(figluMatrix('l', d, 1), [d, d]);
    const x = tf.randomNormal([16, d], 0, 1, 'float32', 6);
    const perm = tf.tensor1d(new Rng(2).permutation(d), 'int32');
    const permuteThenApply = (act: (t: tf.Tensor) => tf.Tensor) => act(tf.gather(x, perm, 1));
    const applyThenPermute = (act: (t: tf.Tensor) => tf.Tensor) => tf.gather(act(x), perm, 1);
    const gap = (act: (t: tf.Tensor) => tf.Tensor) =>
      tf.max(tf.abs(tf.sub(permuteThenApply(act), applyThenPermute(act)))).dataSync()[0];
    expect(gap(tf.relu)).toBe(0);
    expect(gap((t) => figlu(t, f))).toBeGreaterThan(0.05);
  });
});
