/**
 * @weightspace/cli: the `weightspace` command, composing every package's plugins through DI.
 * @packageDocumentation
 */
export { runCli, commands, helpText } from './cli';
export { allModules, createRegistry } from './modules';
export { runExperiment, summaryTable, ExperimentReport } from './experiment';
export { loadModel, loadPair, saveModel, LoadedModel } from './checkpoint';
export { Command, CommandContext } from './command';
export { AlignmentRecord } from './alignment';
export { ExperimentIo } from './experiment';
export { resultSchemas } from './results/result-schemas';
export { RESULT_KINDS, ResultHeader, ResultKind, SCHEMA_VERSION, withSchema } from './results/result-files';
export { FlagDefinition, FlagTable } from './flags';
export { CheckpointNames } from './checkpoint-names';
export { experimentSchema, ExperimentSpec, mnistMlpDemo } from './experiment-schema';
export {
  parseSweepFile,
  readSweepFile,
  SweepFile,
  SweepCell,
  sweepFileSchema,
  type SweepSection,
} from './sweeps/sweep-file';
export {
  Evaluation,
  evaluationsOf,
  expandSweep,
  jobId,
  sameConfig,
  SweepJob,
  TrainJobInputs,
  AlignJobInputs,
  EvaluateJobInputs,
} from './sweeps/job-graph';
export { finishedRow, ResultRow } from './sweeps/local-runner';
export { meanAndStd, reportLines, ReportLine } from './sweeps/sweep-report';
export {
  Reproduction,
  ReproductionAnalysis,
  ReproductionInput,
  reproductionMain,
  runReproduction,
  runReproductionScript,
} from './sweeps/reproduction-runner';
export { markdownTable } from './curves';
export { MergeJobInputs, RobustnessJobInputs } from './sweeps/job-graph';
