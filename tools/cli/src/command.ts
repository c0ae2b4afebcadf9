import { activateBackend, Registry } from '@weightspace/core';
import { Parsed } from './args';

export interface CommandContext {
  registry: Registry;
  /** Results (tables, listings): stdout. */
  print: (line: string) => void;
  /** Status and progress: stderr. */
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], context: CommandContext): Promise<void>;
}

/** Activates --backend, else $WEIGHTSPACE_BACKEND, else the preferred available one; logs the choice. */
export async function chooseBackend(parsed: Parsed, context: CommandContext): Promise<string> {
  const requested = (typeof parsed.flags.backend === 'string' ? parsed.flags.backend : undefined) ?? context.env.WEIGHTSPACE_BACKEND;
  const id = await activateBackend(context.registry.backends(), requested || undefined);
  context.log(`backend: ${id}`);
  return id;
}
