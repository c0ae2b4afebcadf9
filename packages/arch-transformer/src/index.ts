/**
 * @weightspace/arch-transformer: ViT and GPT-style decoders whose symmetry goes beyond
 * permutations: heads, invertible maps inside each head, and an orthogonal residual stream in the
 * canonical form (Theus et al. 2025)
 * @packageDocumentation
 */
export { archTransformerManifest, archTransformerModule } from './transformer-module';
export { vit, type VitConfig, vitConfigSchema } from './vit';
export { gpt, type GptConfig, gptConfigSchema } from './gpt';
export { type TransformerShape, headDim, normOf } from './transformer-config';
export { STREAM, transformerSymmetry } from './transformer-symmetry';
export { type CanonicalLayout, foldNorms, type NormReader } from './canonical-form';
