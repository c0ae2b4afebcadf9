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
export { embedInWiderSpec, assertCovers, covers } from './symmetry/width-embedding';
export { validateSpec } from './symmetry/validate';
export {
  memberName,
  memberNames,
  MEMBER_INDEX,
  stackedSpec,
  stackParams,
  stackShapes,
  unstackParams,
  disposeStacked,
} from './symmetry/families';
export * from './plugin/architecture';
export * from './plugin/manifest';
export * from './progress/progress';
export * from './matching/matcher';
export {
  weightMatchable,
  weightMatching,
  weightMatchingAsync,
  weightMatchingMatcher,
  statisticsOption,
  sweepOrder,
  WEIGHT_MATCHING_MAX_SWEEPS,
} from './matching/weight-matching';
export { activationMatching, activationMatchingMatcher } from './matching/activation-matching';
export { straightThroughMatching, straightThroughMatcher } from './matching/straight-through';
export { learnedMatching, learnedMatchingMatcher, transformByMatrices } from './matching/learned-matching';
export {
  polarFactor,
  singularValueDecomposition,
  type SingularValueDecomposition,
  solveSymmetricSylvester,
} from './matching/procrustes';
export { circuitSimilarity } from './matching/circuits';
export * from './matching/plan';
export * from './metrics/evaluation-batches';
export * from './metrics/evaluate';
export * from './metrics/interpolate';
export * from './metrics/barrier';
export * from './train/train';
export { Adam, AdamOptions, StepOptimizer } from './train/adam';
export * from './data/dataset';
export * from './data/batches';
export { loadMnistFrom, mnistDataset } from './data/mnist';
export { loadFashionMnistFrom, fashionMnistDataset, FASHION_TEST_PER_CLASS } from './data/fashion-mnist';
export { characterDataset, mobyDickDataset, MOBY_DICK_CONTEXT, MOBY_DICK_TRAIN_FRACTION } from './data/moby-dick';
export { makeBlobs, blobsDataset, BlobsOptions } from './data/synthetic';
export * from './io/safetensors';
export * from './io/atomic-write';
export * from './io/directory-lock';
export * from './plot/svg-line-plot';
export * from './backend/backend-provider';
export * from './backend/composed-kernels';
export * from './backend/kernel-names';
export * from './schema/validate';
export * from './registry/service-ids';
export { Registry, bindAll } from './registry/registry';
export { coreModule, coreManifest } from './registry/core-module';
export * from './conformance/conformance';
export * from './conformance/backend-conformance';
export { Aligner, planAligner } from './merge/aligner';
export { weightedAverage } from './merge/average';
export { EMBEDDING_TOLERANCE, embedModelInWider, widestConfig } from './merge/widths';
export { averageMerge, pairwiseMerge, mergeMany, hierarchicalMerge, MergeOptions, MergeResult } from './merge/merge';
export { spectralNorm, lipschitzUpperBound, weightNorm } from './robustness/spectral-norm';
export { robustness, RobustnessOptions, RobustnessReport, defaultRobustnessOptions } from './robustness/robustness';
export { llfc, LlfcReport, LlfcLayer } from './features/llfc';
export { tapsOf, scanPairFeatures, PairBatch } from './features/pair-features';
export { lewc, LewcReport } from './features/lewc';
export { fitInverseTemperature, crossEntropyAt } from './metrics/temperature';
export { RunningStatistics, batchMoments, RUNNING_MOMENTUM } from './normalisation/running-statistics';
export { resetBatchNorm } from './normalisation/bn-reset';
export { channelStatistics, ChannelStatistics } from './normalisation/channel-statistics';
export { repair, repairEndpoints, RepairEndpoints, RepairReport } from './normalisation/repair';
export { runInThreads, ThreadPool, ThreadJob, ThreadOptions, ThreadFunction, WorkerState } from './parallel/threads';
export { paramsToHost, paramsFromHost, HostParams } from './parallel/host-params';
export { trainInThreads, barrierCurveInThreads, defaultThreads, workerPool } from './parallel/threaded';
export { RegistrySource, TrainModelInput, TrainModelOutput } from './parallel/thread-tasks';
export { HostReads, readSynchronously, readAsynchronously } from './params/host-reads';
/** Small models with a known symmetry (permutation, orthogonal, invertible, batched groups): fixtures for tests of matchers, backends and plugins. */
export {
  toyModels,
  toyPerceptron,
  toyResidual,
  toyBilinear,
  toyExperts,
  toyParams,
  BilinearConfig,
  ExpertsConfig,
  PerceptronConfig,
  ResidualConfig,
} from './testing/fixtures/toy-models';
/** The exact linear assignment solver every assignment-based matcher uses, for matchers in plugin packages. */
export { solveAssignment, type AssignmentSolution } from '@weightspace/assignment';
