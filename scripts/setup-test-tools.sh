#!/usr/bin/env bash
# Installs the Debian packages that the tests, the demo and the benchmarks run for real (pebble,
# PowerDNS, BIND, Knot, podman, certbot, …): test tooling, never needed to build or run certfleet.
# Idempotent and quiet when nothing is to do.
set -euo pipefail
APT_PACKAGES=(pebble pdns-server pdns-backend-sqlite3 sqlite3 openssl bind9 knot podman runc busybox-static shellcheck debootstrap certbot chromium python3-lexicon nginx postgresql-15 haproxy docker-compose faketime)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # Debian starts services on install (nginx on port 80, which may be taken): policy-rc.d says
  # no while installing; tests run their own instances on free ports.
  ours=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 0755 /usr/sbin/policy-rc.d
    ours=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  if [ "$ours" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
  for unit in pdns named knot nginx postgresql haproxy; do $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true; done
fi
