import { COMMANDS, flagsOf } from './command-help.js';

/** A bash completion script: commands, then each command's flags; file names after --config. */
export function bashCompletion(): string {
  const cases = COMMANDS.map((c) => `    ${c.name}) opts="${flagsOf(c).join(' ')}" ;;`).join('\n');
  return `# certfleet completion for bash: certfleet completion bash > /etc/bash_completion.d/certfleet
_certfleet() {
  local cur prev opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    mapfile -t COMPREPLY < <(compgen -W "${COMMANDS.map((c) => c.name).join(' ')}" -- "$cur")
    return
  fi
  case "$prev" in
    --config|--new-key-file|--accounts-file) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --log-format) mapfile -t COMPREPLY < <(compgen -W "json pretty" -- "$cur"); return ;;
    --log-level) mapfile -t COMPREPLY < <(compgen -W "debug info warn error" -- "$cur"); return ;;
  esac
  case "\${COMP_WORDS[1]}" in
${cases}
    *) opts="" ;;
  esac
  mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
}
complete -F _certfleet certfleet
`;
}

/** A zsh completion function (#compdef), from the same table. */
export function zshCompletion(): string {
  const commands = COMMANDS.map((c) => `    '${c.name}:${c.summary.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`).join('\n');
  const cases = COMMANDS.map((c) => `    ${c.name}) _arguments ${flagsOf(c).map((f) => (f === '--config' ? `'${f}[config file]:file:_files'` : `'${f}'`)).join(' ')} ;;`).join('\n');
  return `#compdef certfleet
# certfleet completion for zsh: certfleet completion zsh > "\${fpath[1]}/_certfleet"
_certfleet() {
  local -a commands
  commands=(
${commands}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
${cases}
  esac
}
_certfleet "$@"
`;
}
