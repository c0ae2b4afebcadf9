/**
 * The flags of a command as one table: the parser reads it (`parse`), and `--help`, the usage
 * line, the CLI reference and shell completion are generated from it, so they cannot drift apart.
 */
export interface FlagDefinition {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help: FILE, DIR, ID, N, X, LIST. */
  value?: string;
  /** What the flag means, one line. */
  description: string;
  /** The default, as help shows it. */
  default?: string;
  /** Required flags are shown in the usage line. */
  required?: boolean;
}

/** The flags of a command by name (without the leading --), each with its meaning and default. */
export type FlagTable = Record<string, FlagDefinition>;

/** Flags every command accepts. */
export const commonFlags: FlagTable = {
  backend: {
    type: 'string',
    value: 'ID',
    description: 'tfjs backend: wasm, cpu, tensorflow or webgpu (or $WEIGHTSPACE_BACKEND)',
    default: 'the best available',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help and exit' },
};

/** `--json` for commands that print a result: the result as JSON on stdout instead of the table. */
export const jsonFlags: FlagTable = {
  json: { type: 'boolean', description: 'print the result as JSON on stdout instead of text' },
};

/**
 * How a checkpoint from elsewhere is read, for every command that reads one: how its tensor names
 * map to the architecture's, and what of its config its shapes cannot tell.
 */
export const checkpointNameFlags: FlagTable = {
  'strip-prefix': {
    type: 'string',
    multiple: true,
    value: 'PREFIX',
    description: "remove PREFIX from tensor names that start with it (e.g. 'module.' of DataParallel); repeatable",
  },
  rename: {
    type: 'string',
    multiple: true,
    value: 'FROM=TO',
    description: 'replace a leading FROM of tensor names by TO, after --strip-prefix; repeatable',
  },
  heads: {
    type: 'string',
    value: 'N',
    description:
      'attention heads of a transformer checkpoint that does not record its config (shapes cannot tell them; else one per 64 features)',
  },
  'norm-epsilon': {
    type: 'string',
    value: 'X',
    description: "the norms' ε of a transformer checkpoint that does not record its config (timm's ViTs: 1e-6)",
    default: '1e-5',
  },
};

/** `--name VALUE` as help and usage show it. */
export function flagSyntax(name: string, flag: FlagDefinition): string {
  const long = `--${name}${flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : ''}`;
  return flag.short ? `-${flag.short}, ${long}` : long;
}

/** The usage line: required flags, then [flags], then the positional arguments. */
export function usageLine(command: { name: string; flags: FlagTable; positionals?: string }): string {
  const required = Object.entries(command.flags)
    .filter(([, f]) => f.required)
    .map(([name, f]) => `--${name} ${f.value ?? 'VALUE'}`);
  return [
    'weightspace',
    command.name,
    ...required,
    '[flags]',
    ...(command.positionals ? [command.positionals] : []),
  ].join(' ');
}

/** `--help` of a command: summary, usage, every flag with its meaning and default. */
export function commandHelp(command: {
  name: string;
  summary: string;
  flags: FlagTable;
  positionals?: string;
  details?: string;
}): string {
  const rows = Object.entries({ ...command.flags, ...commonFlags }).map(([name, flag]) => {
    const notes = [flag.required ? 'required' : '', flag.default !== undefined ? `default: ${flag.default}` : '']
      .filter(Boolean)
      .join('; ');
    return [flagSyntax(name, flag), `${flag.description}${notes ? ` (${notes})` : ''}`];
  });
  const width = Math.min(34, Math.max(...rows.map(([syntax]) => syntax.length)));
  const lines = rows.map(([syntax, text]) =>
    syntax.length > width ? `  ${syntax}\n  ${' '.repeat(width)}  ${text}` : `  ${syntax.padEnd(width)}  ${text}`,
  );
  return [
    command.summary,
    '',
    `usage: ${usageLine(command)}`,
    ...(command.details ? ['', command.details] : []),
    '',
    'flags:',
    ...lines,
  ].join('\n');
}
