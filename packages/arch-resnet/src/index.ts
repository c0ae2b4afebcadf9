/**
 * @weightspace/arch-resnet: the ResNet-20 family with width multiplier and BatchNorm / LayerNorm / no normalisation
 * @packageDocumentation
 */
export { archResnetManifest, archResnetModule } from './resnet-module';
export { resnet20, resnetForward, imageShape } from './resnet';
export { ResnetConfig, NormKind, resnetConfigSchema, blocksOf, BlockInfo } from './resnet-config';
export { resnetSymmetry, streamGroup, innerGroup } from './resnet-symmetry';
export {
  resnetWAsymVariant,
  resnetSigmaAsymVariant,
  resnetWAsymLayers,
  ResnetWAsymConfig,
  ResnetSigmaAsymConfig,
} from './resnet-asym';
