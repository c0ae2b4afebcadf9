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
