import { ConfigError, type ParamShapes } from '@weightspace/core';
import type { NormKind, ResnetConfig } from './resnet-config';
import { resnetSymmetry } from './resnet-symmetry';

/**
 * The config of a ResNet checkpoint from its shapes: width from the stem's channels, depth from
 * the blocks of stage 1, norm from which norm parameters exist. Image height and width cannot be
 * read off a fully convolutional net, nor can the stem's stride: 28×28 is assumed for one channel
 * and 32×32 otherwise, stride 1 (a checkpoint written by weightspace records its config, which wins). Throws naming the first
 * parameter that is missing or unexpected (PyTorch's `num_batches_tracked` counters are not
 * parameters here: leave them out of the export).
 */
export function inferResnetConfig(shapes: ParamShapes): ResnetConfig {
  const stem = shapes['conv1.weight'];
  if (!stem) throw new ConfigError("resnet20: no 'conv1.weight' in the checkpoint: not a ResNet state dict");
  if (stem.length !== 4 || stem[2] !== 3 || stem[3] !== 3)
    throw new ConfigError(
      `resnet20: 'conv1.weight' has shape [${stem.join(', ')}], expected [16·width, channels, 3, 3]`,
    );
  if (stem[0] % 16 !== 0)
    throw new ConfigError(`resnet20: 'conv1.weight' has ${stem[0]} output channels, not a multiple of 16`);
  const fc = shapes['fc.weight'];
  if (!fc || fc.length !== 2) throw new ConfigError("resnet20: 'fc.weight' is missing or not [classes, features]");
  let blocks = 0;
  while (`layer1.${blocks}.conv1.weight` in shapes) blocks++;
  if (blocks === 0) throw new ConfigError("resnet20: no 'layer1.0.conv1.weight' in the checkpoint");
  const norm: NormKind = 'bn1.running_mean' in shapes ? 'batchnorm' : 'bn1.weight' in shapes ? 'layernorm' : 'none';
  const channels = stem[1];
  const config: ResnetConfig = {
    input: channels === 1 ? [28, 28, 1] : [32, 32, channels],
    classes: fc[0],
    width: stem[0] / 16,
    norm,
    depth: 6 * blocks + 2,
  };
  const expected = Object.keys(resnetSymmetry(config).axes);
  const missing = expected.find((name) => !(name in shapes));
  if (missing)
    throw new ConfigError(
      `resnet20: '${missing}' is missing for a depth-${config.depth} ${norm} ResNet of width ${config.width}`,
    );
  const known = new Set(expected);
  const extra = Object.keys(shapes).find((name) => !known.has(name));
  if (extra)
    throw new ConfigError(`resnet20: unexpected parameter '${extra}' for a depth-${config.depth} ${norm} ResNet`);
  return config;
}
