import { ConfigError } from '@weightspace/core';

/**
 * An image shape [height, width, channels] for a dataset's sample shape: kept when it has three
 * axes, else a square with 1 or 3 channels (784 → [28, 28, 1], 3,072 → [32, 32, 3]); throws a
 * ConfigError naming `model` otherwise.
 */
export function imageShapeOf(sample: readonly number[], model: string): [number, number, number] {
  if (sample.length === 3) return [sample[0], sample[1], sample[2]];
  const size = sample.reduce((a, b) => a * b, 1);
  for (const channels of [1, 3]) {
    const side = Math.round(Math.sqrt(size / channels));
    if (side * side * channels === size) return [side, side, channels];
  }
  throw new ConfigError(
    `${model}: samples of [${sample.join(', ')}] are not square images with 1 or 3 channels: give 'input' as [height, width, channels]`,
  );
}
