import { type AnyArchitecture, ConfigError, type Dataset, sampleSize } from '@weightspace/core';

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
