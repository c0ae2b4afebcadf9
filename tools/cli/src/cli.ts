import { type Registry, WeightspaceError } from '@weightspace/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completionScript } from './completion';
import { commandHelp } from './flags';
import type { Command, CommandContext } from './command';
import { alignCommand } from './commands/align';
import { interpolateCommand } from './commands/interpolate';
import { lewcCommand } from './commands/lewc';
import { listCommand } from './commands/list';
import { llfcCommand } from './commands/llfc';
import { mergeCommand } from './commands/merge';
import { robustnessCommand } from './commands/robustness';
import { demoCommand, runCommand } from './commands/run';
import { sweepCommand } from './commands/sweep';
import { CommandFailure } from './command-failure';
import { trainCommand } from './commands/train';
import { workerCommand } from './commands/worker';
import { createRegistry } from './modules';
import { UsageError } from './usage-error';

/** Every command of the `weightspace` CLI, in the order --help lists them. */
export const commands: readonly Command[] = [
  listCommand,
  trainCommand,
  alignCommand,
  interpolateCommand,
  llfcCommand,
  lewcCommand,
  mergeCommand,
  robustnessCommand,
  runCommand,
  demoCommand,
  sweepCommand,
  workerCommand,
];

/** The top-level `weightspace --help` text: every command with its summary. */
export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 'completion'.length);
  return [
    'weightspace: parameter symmetries of neural networks (re-basin, linear mode connectivity, merging)',
    '',
    'usage: weightspace <command> [flags]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'completion'.padEnd(width)}  print a bash or zsh completion script: eval "$(weightspace completion bash)"`,
    '',
    'weightspace <command> --help lists every flag of a command with its meaning and default.',
    'Every command takes --backend wasm|cpu|tensorflow|webgpu (or WEIGHTSPACE_BACKEND); weightspace --version.',
  ].join('\n');
}

/** The version of the weightspace CLI package. */
export function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Runs one command line and returns the exit code: 0 on success, 2 for anything the user can fix
 * (bad flags, a wrong checkpoint, a config that fails its schema) with one line on stderr and no
 * stack trace, 1 for an internal error.
 */
export async function runCli(argv: string[], io: Pick<CommandContext, 'print' | 'log' | 'env'>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length === 1) return runCli([rest[0], '--help'], io);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.print(helpText());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.print(version());
    return 0;
  }
  if (name === 'completion') {
    const shell = rest[0] ?? 'bash';
    if ((shell !== 'bash' && shell !== 'zsh') || rest.length > 1) {
      io.log(`weightspace completion: give bash or zsh, got '${rest.join(' ')}'`);
      return 2;
    }
    io.print(completionScript(commands, shell));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.log(`weightspace: unknown command '${name}'; commands: ${commands.map((c) => c.name).join(', ')}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.print(commandHelp(command));
    return 0;
  }
  let registry: Registry | undefined;
  try {
    registry = await createRegistry();
    await command.run(rest, { ...io, registry });
    return 0;
  } catch (e) {
    if (e instanceof WeightspaceError) {
      io.log(`weightspace ${name}: ${e.message}${e instanceof UsageError ? ` (see weightspace ${name} --help)` : ''}`);
      return 2;
    }
    if (e instanceof CommandFailure) {
      io.log(`weightspace ${name}: ${e.message}`);
      return 1;
    }
    const err = e as Error;
    io.log(`weightspace ${name}: internal error: ${err.message}`);
    if (io.env.WEIGHTSPACE_DEBUG) io.log(err.stack ?? '');
    else io.log('(set WEIGHTSPACE_DEBUG=1 for the stack trace)');
    return 1;
  } finally {
    registry?.dispose();
  }
}
