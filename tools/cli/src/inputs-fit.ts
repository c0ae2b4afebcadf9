import * as tf from '@tensorflow/tfjs';
import { type AnyArchitecture, ConfigError, type Dataset, type Params, sampleSize } from '@weightspace/core';

/**
 * Throws a ConfigError naming the dataset and the architecture unless both speak of the same kind
 * of input: token ids (text, for a language model) or feature values (images, vectors).
 */
export function assertInputKind(plugin: AnyArchitecture, data: Pick<Dataset, 'id' | 'tokens'>): void {
  if (Boolean(plugin.readsTokens) === Boolean(data.tokens)) return;
  throw new ConfigError(
    data.tokens
      ? `dataset '${data.id}' holds text (token ids), which '${plugin.id}' does not read: use a language model such as gpt`
      : `'${plugin.id}' reads token ids (text) but dataset '${data.id}' holds feature values: use a text dataset such as moby-dick`,
  );
}

/** Throws a ConfigError, naming `who` (a file or a config), unless the dataset's samples fit the model's input. */
export function assertInputsFit(
  plugin: AnyArchitecture,
  config: unknown,
  data: Pick<Dataset, 'id' | 'inputShape' | 'tokens'>,
  who: string,
): void {
  assertInputKind(plugin, data);
  const wanted = plugin.inputShape(config).reduce((x: number, y: number) => x * y, 1);
  if (wanted !== sampleSize(data)) {
    throw new ConfigError(
      `${who} takes ${wanted} inputs but dataset '${data.id}' has samples of [${data.inputShape.join(', ')}]`,
    );
  }
}

/** Throws a ConfigError, naming `who`, unless the model has one output per class of the dataset. */
export function assertClassesFit(
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  data: Pick<Dataset, 'id' | 'classes'>,
  who: string,
): void {
  const outputs = tf.tidy(
    () => plugin.apply(config, params, tf.zeros([1, ...plugin.inputShape(config)])).logits.shape[1],
  );
  if (outputs !== data.classes) {
    throw new ConfigError(`${who} has ${outputs} outputs but dataset '${data.id}' has ${data.classes} classes`);
  }
}
