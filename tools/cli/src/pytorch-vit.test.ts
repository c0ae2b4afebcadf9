import * as tf from '@tensorflow/tfjs';
import { wasmBackend } from '@weightspace/backend-wasm';
import { loadParams } from '@weightspace/core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalModel, loadModel } from './checkpoint';
import { createRegistrySync } from './modules';

/**
 * A ViT checkpoint written by PyTorch in timm's layout (testing/timm_vit.py, LayerNorm ε 1e-6 as
 * timm saves it) loads as `vit` with nothing renamed, its config inferred from the shapes and its
 * ε given (`--norm-epsilon`), and gives PyTorch's logits; so does its canonical form. Needs
 * Debian's python3 with torch; skipped, saying so, without.
 */
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

beforeAll(() => wasmBackend.activate());

(hasTorch ? describe : describe.skip)(
  `a timm-layout ViT from PyTorch${hasTorch ? '' : ' (skipped: /usr/bin/python3 has no torch; npm run bench installs python3-torch)'}`,
  () => {
    it('loads unchanged and gives the same logits, as saved and in canonical form', () => {
      const dir = mkdtempSync(join(tmpdir(), 'ws-timm-'));
      const run = spawnSync(PYTHON, [join(__dirname, 'testing', 'timm_vit.py'), dir], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const names = { stripPrefixes: [], renames: [], known: { normEpsilon: 1e-6 } };
      const model = loadModel(join(dir, 'vit.safetensors'), createRegistrySync(), 'vit', names);
      expect(model.config).toEqual({
        input: [28, 28, 1],
        patch: 7,
        classes: 10,
        dim: 128,
        depth: 1,
        heads: 2,
        mlpWidth: 256,
        norm: 'layernorm',
        normEpsilon: 1e-6,
      });
      const batch = loadParams(join(dir, 'batch.safetensors')).params;
      const images = tf.transpose(batch.images, [0, 2, 3, 1]);
      const difference = (config: unknown, params: typeof model.params) =>
        tf.tidy(
          () => tf.max(tf.abs(tf.sub(model.plugin.apply(config, params, images).logits, batch.logits))).dataSync()[0],
        );
      expect(difference(model.config, model.params)).toBeLessThan(1e-4);
      const canonical = canonicalModel(model);
      expect(difference(canonical.config, canonical.params)).toBeLessThan(1e-4);
    }, 60_000);
  },
);
