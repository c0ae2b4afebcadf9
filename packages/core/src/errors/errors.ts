/**
 * Errors a user can act on. Each names the file, parameter, axis or flag at fault, so that a
 * front end (the CLI) prints one line and exits with code 2 instead of a stack trace.
 */
export class WeightspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A symmetry spec that does not fit the parameters it describes. */
export class SpecError extends WeightspaceError {}

/** A checkpoint file that cannot be read as it claims to be. */
export class CheckpointError extends WeightspaceError {}

/** A config or experiment file that fails its JSON Schema. */
export class ConfigError extends WeightspaceError {}

/** An id that is missing from, or registered twice in, the registry. */
export class RegistryError extends WeightspaceError {}

/** Input data (a dataset file, a tensor) that is not what the operation needs. */
export class DataError extends WeightspaceError {}
