# Sourced by project commands: puts the project's Node.js 24 first on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -x "$root/.tools/node/bin/node" ] && export PATH="$root/.tools/node/bin:$PATH"
