#!/usr/bin/env bash
# Builds dist/certfleet_<version>_amd64.deb: the single executable (scripts/sea.mjs), the
# certfleet system user, /etc/certfleet/certfleet.yaml as a conffile, /var/lib/certfleet at 0700,
# and the hardened systemd units (deploy/debian/). Needs dpkg-deb (Debian's dpkg), nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p 'require("./package.json").version')
node scripts/sea.mjs --if-stale >/dev/null
stage=$(mktemp -d)
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT
install -D -m 0755 dist/sea/certfleet "$stage/usr/bin/certfleet"
install -D -m 0640 deploy/debian/certfleet.yaml "$stage/etc/certfleet/certfleet.yaml"
for unit in certfleet.service certfleet-issue.service certfleet-issue.timer; do
  install -D -m 0644 "deploy/debian/$unit" "$stage/lib/systemd/system/$unit"
done
install -d "$stage/usr/share/doc/certfleet"
install -m 0644 README.md CHANGELOG.md SECURITY.md "$stage/usr/share/doc/certfleet/"
cp -r docs "$stage/usr/share/doc/certfleet/docs"
install -m 0644 dist/bundle/THIRD-PARTY-LICENSES.txt "$stage/usr/share/doc/certfleet/"
install -m 0644 deploy/debian/copyright "$stage/usr/share/doc/certfleet/copyright"
install -d "$stage/DEBIAN"
install -m 0755 deploy/debian/postinst deploy/debian/postrm "$stage/DEBIAN/"
echo /etc/certfleet/certfleet.yaml > "$stage/DEBIAN/conffiles"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: certfleet
Version: $version
Architecture: amd64
Maintainer: certfleet developers <certfleet@localhost>
Depends: libc6 (>= 2.28), libstdc++6 (>= 12), passwd
Section: admin
Priority: optional
Installed-Size: $(du -sk "$stage" | cut -f1)
Homepage: https://github.com/certfleet/certfleet
Description: ACME DNS-01 certificates: issued, renewed and deployed
 certfleet obtains and renews TLS certificates through ACME DNS-01 from
 Let's Encrypt or any ACME CA, writes them in certbot's layout, runs deploy
 actions after each renewal, and serves an ExternalDNS webhook provider.
 One executable with Node.js inside; a hardened systemd service and timer.
CONTROL
mkdir -p dist
out="dist/certfleet_${version}_amd64.deb"
# gzip: xz of a 130 MB executable costs a minute of CPU for 20 MB less.
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$out" >/dev/null
echo "package: $out ($(du -h "$out" | cut -f1))"
