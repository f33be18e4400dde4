#!/usr/bin/env bash
# Builds dist/certfleet-<version>.tgz, the npm package: `npm install -g certfleet-<version>.tgz`
# gives a `certfleet` command. Its manifest is written here, not the checkout's package.json:
# the bundle carries every production dependency, so the package has none to install, and
# the checkout's manifest stays private (it cannot be published by accident).
set -euo pipefail
cd "$(dirname "$0")/.."
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/dist"
cp bin/certfleet "$stage/bin/certfleet"
cp -r dist/bundle "$stage/dist/bundle"
cp -r README.md CHANGELOG.md SECURITY.md docs "$stage/"
node -e '
  const pkg = require("./package.json");
  const out = {
    name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license,
    type: "module", bin: { certfleet: "bin/certfleet" }, engines: pkg.engines,
    os: ["linux", "darwin"], files: ["bin/", "dist/bundle/", "docs/", "README.md", "CHANGELOG.md", "SECURITY.md"],
  };
  require("fs").writeFileSync(process.argv[1], JSON.stringify(out, null, 2) + "\n");
' "$stage/package.json"
mkdir -p dist
file=$(cd "$stage" && npm pack --silent --pack-destination "$OLDPWD/dist")
echo "package: dist/$file"
