/**
 * A command that ran to its end but whose work did not all succeed (a sweep with failed jobs):
 * one line naming what failed and exit code 1, not the usage-error code 2 nor an internal error.
 */
export class CommandFailure extends Error {}
