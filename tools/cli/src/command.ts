import { activateBackendForThreads, type Registry } from '@weightspace/core';
import type { Parsed } from './args';
import type { FlagTable } from './flags';
import { UsageError } from './usage-error';

/**
 * What a command runs with: the registry of every package's plugins, stdout for results, stderr for
 * logs, the environment.
 */
export interface CommandContext {
  registry: Registry;
  /** Results (tables, listings): stdout. */
  print: (line: string) => void;
  /** Status and progress: stderr. */
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

/**
 * A `weightspace` command: its name, summary, flag table (which --help, usage and completion are
 * generated from) and what it runs.
 */
export interface Command {
  name: string;
  summary: string;
  /** Every flag besides the common ones (--backend, --help), with its meaning and default. */
  flags: FlagTable;
  /** The positional arguments, as the usage line shows them. */
  positionals?: string;
  /** More on what the command does or writes, for --help. */
  details?: string;
  run(argv: string[], context: CommandContext): Promise<void>;
}

/**
 * Activates --backend, else $WEIGHTSPACE_BACKEND, else the preferred available one; logs the
 * choice and returns its id. A backend that cannot read synchronously (webgpu) serves only
 * commands whose heavy work runs in worker threads (`workerThreads`): they get its id for their
 * threads while the main thread, which reads synchronously, runs on the preferred backend that
 * can. Any other command refuses it with a clear error instead of failing inside tfjs.
 */
export async function chooseBackend(
  parsed: Parsed,
  context: CommandContext,
  options: { command: string; workerThreads?: boolean },
): Promise<string> {
  const requested =
    (typeof parsed.flags.backend === 'string' ? parsed.flags.backend : undefined) ?? context.env.WEIGHTSPACE_BACKEND;
  const { threads, main } = await activateBackendForThreads(context.registry.backends(), requested || undefined);
  if (main === threads) {
    context.log(`backend: ${threads}`);
    return threads;
  }
  if (!options.workerThreads) {
    throw new UsageError(
      `backend '${threads}' cannot read tensors synchronously in Node, which '${options.command}' does on its main thread; use --backend wasm (run and demo train and evaluate in worker threads on '${threads}')`,
    );
  }
  context.log(
    `backend: ${threads} in the worker threads, ${main} on the main thread (${threads} cannot read synchronously in Node)`,
  );
  return threads;
}

/** With --json, the result as JSON on stdout (and nothing else there); else `text` prints it for a reader. */
export function printResult(context: CommandContext, parsed: Parsed, result: unknown, text: () => void): void {
  if (parsed.flags.json) context.print(JSON.stringify(result, null, 2));
  else text();
}
