#!/usr/bin/env bash
# Builds the images deploy/compose runs, for machines that cannot pull them: certfleet (the
# Dockerfile) and the stand-ins for nginx-unprivileged and docker-socket-proxy
# (deploy/images/*), all on the local Debian base (scripts/base-image.sh). Each tag is a hash of
# its inputs, so an unchanged input is not rebuilt. Prints the compose variables that select
# them, one per line, usable as an env file:
#   scripts/stack-images.sh > deploy/compose/.env && docker compose -f deploy/compose/compose.yaml ...
set -euo pipefail
cd "$(dirname "$0")/.."
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs --events-backend file)
base=$(scripts/base-image.sh | tail -n 1)
version=$(node -p 'require("./package.json").version')

# The hash of these files' contents and names (relative: the same from any directory or worktree),
# with the base image and this script's content.
hash_of() {
  { echo "$base"; sha256sum < "$0"; find "$@" -type f ! -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum; } \
    | sha256sum | cut -c1-12
}

# A TLS-intercepting proxy in front of the registries (as on this machine) is trusted through a build secret.
extra_ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then extra_ca=(--secret "id=extra_ca,src=$NODE_EXTRA_CA_CERTS"); fi

build() { # ref context [containerfile]
  local ref=$1 context=$2 file=${3:-$2/Containerfile}
  if "${PODMAN[@]}" image exists "$ref"; then return; fi
  echo "stack-images: building $ref" >&2
  "${PODMAN[@]}" build --isolation=chroot --format docker --network host --quiet "${extra_ca[@]}" \
    --build-arg "BASE_IMAGE=$base" -f "$file" -t "$ref" "$context" >/dev/null
}

nginx="localhost/certfleet-nginx-unprivileged:$(hash_of deploy/images/nginx-unprivileged)"
proxy="localhost/certfleet-socket-proxy:$(hash_of deploy/images/socket-proxy)"
certfleet="localhost/certfleet:$version-$(hash_of Dockerfile package.json package-lock.json tsconfig.json tsconfig.build.json \
  src scripts/bundle.mjs bin/certfleet bin/container-entrypoint)"
build "$nginx" deploy/images/nginx-unprivileged
build "$proxy" deploy/images/socket-proxy
build "$certfleet" . Dockerfile

echo "CERTFLEET_IMAGE=$certfleet"
echo "NGINX_IMAGE=$nginx"
echo "SOCKET_PROXY_IMAGE=$proxy"
