import {
  type AnyArchitecture,
  ConfigError,
  disposeParams,
  embedModelInWider,
  oneTrainingStep,
  randomInputOf,
} from '@weightspace/core';
import { wasmBackend } from '@weightspace/backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { gpt } from './gpt';
import type { TransformerShape } from '@weightspace/layers';
import { vit } from './vit';

beforeAll(() => wasmBackend.activate());

/** The first example of each model and one of half its width, heads and MLP (the same head width). */
const cases = [vit, gpt].map((plugin: AnyArchitecture) => {
  const wide = plugin.examples[0] as TransformerShape;
  const narrow = { ...wide, dim: wide.dim / 2, heads: wide.heads / 2, mlpWidth: wide.mlpWidth / 2 };
  return { id: plugin.id, plugin, narrow, wide };
});

describe.each(cases)('a half-width $id', ({ plugin, narrow, wide }) => {
  it('embeds into the full width in canonical form with the same logits (the stream rescaled for its RMSNorm)', () => {
    // After a training step, so norm gains and biases are not at their initial values.
    const initial = plugin.init(narrow, 2);
    const trained = oneTrainingStep({ plugin, config: narrow, seed: 2 }, initial);
    const small = plugin.canonicalize!(narrow, trained);
    const large = plugin.canonicalize!(wide, plugin.init(wide, 0));
    const embedded = embedModelInWider(plugin, small.config, small.params, large.config);
    const change = tf.tidy(() => {
      const x = randomInputOf({ plugin, config: narrow, seed: 9 }, 4);
      const before = plugin.apply(narrow, trained, x).logits;
      return tf.max(tf.abs(tf.sub(before, plugin.apply(large.config, embedded, x).logits))).dataSync()[0];
    });
    expect(change).toBeLessThan(1e-4);
    [initial, trained, small.params, large.params, embedded].forEach(disposeParams);
  });

  it('is refused as saved, with LayerNorm averaging over the stream the zero units would join', () => {
    const params = plugin.init(narrow, 2);
    expect(() => embedModelInWider(plugin, narrow, params, wide, 'half.safetensors')).toThrow(ConfigError);
    expect(() => embedModelInWider(plugin, narrow, params, wide, 'half.safetensors')).toThrow(
      /^half.safetensors: embedded into the wider .* computes a different function/,
    );
    disposeParams(params);
  });
});
