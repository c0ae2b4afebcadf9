import * as tf from '@tensorflow/tfjs';
import { randomInputOf } from '../conformance/conformance';
import { ConfigError } from '../errors/errors';
import { assertSameStructure, disposeParams, type Params } from '../params/params';
import type { AnyArchitecture } from '../plugin/architecture';
import { covers, embedInWiderSpec } from '../symmetry/width-embedding';

/**
 * Largest logit change an embedding may make, relative to the largest logit (at least 1): float32
 * rounding of the rescaled stream stays far below it, a norm that the embedding breaks far above.
 */
export const EMBEDDING_TOLERANCE = 1e-4;

/**
 * The index of the config whose symmetry covers every other's (each group at least as large; see
 * `assertCovers`): the width every model is embedded into. A ConfigError when no config does, as
 * when one model is wider in its MLP and the other in its stream.
 */
export function widestConfig(plugin: AnyArchitecture, configs: readonly unknown[], names: readonly string[]): number {
  const specs = configs.map((c) => plugin.symmetry(c));
  const widest = specs.findIndex((wide) => specs.every((narrow) => covers(wide, narrow)));
  if (widest < 0)
    throw new ConfigError(
      `${names.join(', ')}: no one of these ${plugin.id} models is at least as wide as the others in every group, so none can hold the others`,
    );
  return widest;
}

/**
 * A narrower model's parameters embedded into a wider config of the same architecture (see
 * `embedInWiderSpec`: zero units added, an orthogonal stream rescaled to keep its RMS), checked
 * to compute the same function: the logits on a seeded random batch may change by at most
 * EMBEDDING_TOLERANCE of the largest logit. A ConfigError naming `what` otherwise (configs that
 * differ in more than widths, a norm that averages over a permuted axis).
 */
export function embedModelInWider(
  plugin: AnyArchitecture,
  narrowConfig: unknown,
  params: Params,
  wideConfig: unknown,
  what = 'the narrower model',
): Params {
  const embedded = embedInWiderSpec(params, plugin.symmetry(narrowConfig), plugin.symmetry(wideConfig));
  const fresh = plugin.init(wideConfig, 0);
  try {
    assertSameStructure(fresh, embedded, [`a ${plugin.id} of the wider config`, `${what} embedded`]);
    const { change, scale } = tf.tidy(() => {
      const x = randomInputOf({ plugin, config: narrowConfig }, 8);
      const before = plugin.apply(narrowConfig, params, x).logits;
      const after = plugin.apply(wideConfig, embedded, x).logits;
      return {
        change: tf.max(tf.abs(tf.sub(before, after))).dataSync()[0],
        scale: Math.max(1, tf.max(tf.abs(before)).dataSync()[0]),
      };
    });
    if (!(change <= EMBEDDING_TOLERANCE * scale))
      throw new ConfigError(
        `${what}: embedded into the wider ${plugin.id} it computes a different function (logits change by ${change.toPrecision(3)}); the two configs may differ in widths only, and no norm may average over a permuted axis`,
      );
    return embedded;
  } catch (e) {
    disposeParams(embedded);
    throw e;
  } finally {
    disposeParams(fresh);
  }
}
