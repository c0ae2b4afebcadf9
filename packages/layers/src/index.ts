/**
 * @weightspace/layers: the building blocks of architectures, in PyTorch's parameter names and
 * layouts, each with its initialisation and its symmetry-spec helper (which groups its axes
 * read and write). Architecture packages share layers through this package, never through each
 * other.
 * @packageDocumentation
 */
export { type Group, type LayerAxes, reads, writes } from './axes';
export { imageShapeOf } from './image-shape';
export { initLinear, linear, linearAxes } from './linear';
export { type Conv2dOptions, conv2d, conv2dAxes, initConv2d, type InitConv2dOptions } from './conv2d';
export {
  batchNorm,
  channelMoments,
  groupNorm,
  initNorm,
  layerNorm,
  NORM_EPSILON,
  normAxes,
  type NormParameters,
  normParamNames,
  rmsNorm,
  unitRmsNorm,
} from './norms';
export { embedding, embeddingAxes, initEmbedding } from './embedding';
export { initPatchEmbedding, patchEmbedding, patchEmbeddingAxes } from './patch-embedding';
export {
  type AttentionGroups,
  type AttentionNames,
  type AttentionOptions,
  attentionAxes,
  initAttention,
  multiHeadAttention,
} from './attention';
export { circuitAttention, circuitAxes, type CircuitNames, circuitNamesBeside, circuitsOf } from './attention-circuits';
export { gelu } from './gelu';
export {
  initTransformerBlock,
  nanoGptBlockNames,
  timmBlockNames,
  transformerBlock,
  transformerBlockAxes,
  type TransformerBlockNames,
  type TransformerBlockOptions,
  type TransformerNorm,
  transformerNorm,
  transformerNormStored,
} from './transformer-block';
export { blockAttentionAxes, denseMlp, denseMlpAxes, initBlockAttention, initDenseMlp } from './transformer-block';
export {
  blockIndices,
  CIRCUIT_EXAMPLE_SHAPE,
  headDim,
  normOf,
  type TransformerShape,
  transformerShapeProperties,
} from './transformer/transformer-shape';
export {
  denseFeedForward,
  type FeedForward,
  type FeedForwardOf,
  type FeedForwardSymmetry,
  mlpGroup,
} from './transformer/feed-forward';
export { foldNorms } from './transformer/canonical-form';
export {
  type CanonicalLayout,
  type NormReader,
  normReader,
  type StreamWriter,
  writerRows,
} from './transformer/canonical-layout';
export { STREAM, transformerSymmetry } from './transformer/transformer-symmetry';
export { type TransformerFamily } from './transformer/transformer-family';
export {
  defaultVitConfig,
  inferVitConfig,
  type VitConfig,
  vitConfigProperties,
  vitModel,
  vitRequired,
} from './transformer/vit-model';
export {
  defaultGptConfig,
  type GptConfig,
  gptConfigProperties,
  gptModel,
  gptRequired,
  inferGptConfig,
} from './transformer/gpt-model';
