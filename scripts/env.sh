# shellcheck shell=bash
# Sourced by project commands: puts the project's Node.js 24 first on PATH when setup installed one.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$root/.tools/node/bin/node" ]; then export PATH="$root/.tools/node/bin:$PATH"; fi
