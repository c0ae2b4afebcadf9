/**
 * @weightspace/arch-transformer: ViT and GPT-style decoders whose symmetry goes beyond
 * permutations: heads, invertible maps inside each head, and an orthogonal residual stream in the
 * canonical form (Theus et al. 2025). The models are `@weightspace/layers`' ViT and GPT with dense
 * GELU MLPs.
 * @packageDocumentation
 */
export { archTransformerManifest, archTransformerModule } from './transformer-module';
export { vit, type VitConfig, vitConfigSchema } from './vit';
export { gpt, type GptConfig, gptConfigSchema } from './gpt';
export {
  type CanonicalLayout,
  foldNorms,
  headDim,
  type NormReader,
  normOf,
  STREAM,
  type TransformerShape,
  transformerSymmetry,
} from '@weightspace/layers';
