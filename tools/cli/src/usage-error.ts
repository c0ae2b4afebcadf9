import { WeightspaceError } from '@weightspace/core';

/** A command line that cannot be run as given: a bad, missing or malformed flag. */
export class UsageError extends WeightspaceError {}
