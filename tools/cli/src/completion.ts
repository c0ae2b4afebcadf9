import type { Command } from './command';
import { commonFlags } from './flags';

/**
 * A bash completion script for the commands and their flags (zsh loads it through
 * bashcompinit): `eval "$(weightspace completion bash)"`, or `weightspace completion zsh`. Flags
 * that take a file or directory complete paths.
 */
export function completionScript(commands: readonly Command[], shell: 'bash' | 'zsh'): string {
  const cases = commands.map((c) => {
    const names = Object.keys({ ...c.flags, ...commonFlags }).map((n) => `--${n}`);
    return `    ${c.name}) flags="${names.join(' ')}" ;;`;
  });
  const pathValues = [
    ...new Set(
      commands.flatMap((c) =>
        Object.entries(c.flags)
          .filter(([, f]) => f.value === 'FILE' || f.value === 'DIR' || f.value === 'JSON|FILE')
          .map(([n]) => `--${n}`),
      ),
    ),
  ];
  const script = [
    '# weightspace completion',
    '_weightspace() {',
    '  local cur prev flags',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')} completion --help --version" -- "$cur"))`,
    '    return',
    '  fi',
    '  case "$prev" in',
    `    ${pathValues.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`,
    '  esac',
    '  case "${COMP_WORDS[1]}" in',
    ...cases,
    '    completion) flags="bash zsh" ;;',
    '    *) flags="" ;;',
    '  esac',
    '  if [[ "$cur" == -* || "${COMP_WORDS[1]}" == completion ]]; then',
    '    COMPREPLY=($(compgen -W "$flags" -- "$cur"))',
    '  else',
    '    COMPREPLY=($(compgen -f -- "$cur"))',
    '  fi',
    '}',
    'complete -F _weightspace weightspace',
  ];
  return shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit', ...script].join('\n') : script.join('\n');
}
