/**
 * @weightspace/core: the plugin contract, the symmetry algebra, matchers, metrics, data and IO.
 * @packageDocumentation
 */
export * from './errors/errors';
export * from './random/rng';
export * from './params/params';
export * from './symmetry/spec';
export * from './symmetry/element';
export * from './symmetry/dense-matrix';
export { identity, random, compose, inverse, elementsEqual, identityPerm, invertPerm } from './symmetry/algebra';
export { transform, applyMatrixAlongAxis } from './symmetry/transform';
export { validateSpec } from './symmetry/validate';
export * from './plugin/architecture';
export * from './plugin/manifest';
export * from './progress/progress';
export * from './matching/matcher';
export * from './matching/linear-assignment';
export { weightMatching, weightMatchingMatcher } from './matching/weight-matching';
export * from './matching/plan';
export * from './metrics/evaluation-batches';
export * from './metrics/evaluate';
export * from './metrics/interpolate';
export * from './metrics/barrier';
export * from './train/train';
export * from './data/dataset';
export * from './data/batches';
export { loadMnistFrom, mnistDataset } from './data/mnist';
export { loadFashionMnistFrom, fashionMnistDataset, FASHION_TEST_PER_CLASS } from './data/fashion-mnist';
export { makeBlobs, blobsDataset, BlobsOptions } from './data/synthetic';
export * from './io/safetensors';
export * from './io/atomic-write';
export * from './plot/svg-line-plot';
export * from './backend/backend-provider';
export { installTransposeFreeMatMulGradient } from './backend/matmul-gradient';
export * from './schema/validate';
export * from './schema/experiment';
export * from './registry/service-ids';
export { Registry, bindAll } from './registry/registry';
export { coreModule, coreManifest } from './registry/core-module';
export * from './conformance/conformance';
export { Aligner, planAligner } from './merge/aligner';
export { weightedAverage } from './merge/average';
export { averageMerge, pairwiseMerge, mergeMany, hierarchicalMerge, MergeOptions, MergeResult } from './merge/merge';
export { spectralNorm, lipschitzUpperBound, weightNorm } from './robustness/spectral-norm';
export { robustness, RobustnessOptions, RobustnessReport, defaultRobustnessOptions } from './robustness/robustness';
export { llfc, LlfcReport, LlfcLayer, tapsOf } from './features/llfc';
export { lewc, LewcReport } from './features/lewc';
export { fitInverseTemperature, crossEntropyAt } from './metrics/temperature';
