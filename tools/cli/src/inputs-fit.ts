import * as tf from '@tensorflow/tfjs';
import { type AnyArchitecture, ConfigError, type Dataset, type Params, sampleSize } from '@weightspace/core';

/** Throws a ConfigError, naming `who` (a file or a config), unless the dataset's samples fit the model's input. */
export function assertInputsFit(
  plugin: AnyArchitecture,
  config: unknown,
  data: Pick<Dataset, 'id' | 'inputShape'>,
  who: string,
): void {
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
