SHELL := /bin/bash
ENV := source scripts/env.sh &&

.PHONY: setup test-tools demo test lint bench sbom audit chaos package stack-images

# What building needs (Node.js 24, npm ci, build). Test tooling is test-tools, run by the targets that use it.
setup:
	@scripts/setup.sh

test-tools: setup
	@scripts/setup-test-tools.sh

demo: test-tools
	@$(ENV) node scripts/demo.mjs

# depcruise: no import cycle in src/ and dependencies only down the layers (.dependency-cruiser.js).
lint: test-tools
	@$(ENV) npx eslint --max-warnings 0 . && npx tsc --noEmit \
	  && npx depcruise src --output-type err \
	  && shellcheck bin/certfleet bin/container-entrypoint scripts/*.sh deploy/debian/postinst deploy/debian/postrm .ci/run \
	  && npx dockerfilelint Dockerfile && node scripts/check-image-pins.mjs \
	  && node scripts/check-licenses.mjs && $(MAKE) -s sbom

# CycloneDX SBOM of the production dependencies (what ships), a build artefact.
sbom: setup
	@$(ENV) npx cyclonedx-npm --omit dev --output-format JSON --output-file sbom.cdx.json 2>/dev/null && echo "sbom: sbom.cdx.json"

# Needs the npm advisory service, which this build machine cannot reach.
audit: setup
	@$(ENV) npm audit --omit=dev

test: lint
	@$(ENV) npx vitest run --coverage

# deploy/compose's three images built here from Debian packages (docs/deployment.md); prints the
# variables that select them, one per line (an env file for compose).
stack-images: test-tools
	@$(ENV) scripts/stack-images.sh

# The chaos suite at full size (SIGKILLs, outages, concurrent processes); `make test` runs it reduced.
chaos: test-tools
	@$(ENV) CHAOS_FULL=1 npx vitest run test/chaos

# Every script's temporary files stay until the last script is done (CERTFLEET_KEEP_TMP, one
# TMPDIR): on this machine's journal-less ext4, files created in the minutes after a large removal
# cost more, which a script would otherwise charge to the next one (docs/benchmarks.md, session 34).
bench: test-tools
	@$(ENV) export TMPDIR=$$(mktemp -d /tmp/certfleet-bench-XXXXXX) CERTFLEET_KEEP_TMP=1 && trap 'rm -rf "$$TMPDIR"' EXIT && node scripts/bench.mjs && node scripts/bench-dns.mjs && node scripts/bench-webhook.mjs && node scripts/bench-peer.mjs && node scripts/bench-durability.mjs && node scripts/bench-store-ops.mjs && node scripts/bench-daemon.mjs && BENCH_DAEMON_N=100000 node scripts/bench-daemon.mjs && node scripts/bench-api.mjs && node scripts/bench-fleet.mjs

# dist/certfleet_<version>_amd64.deb (single executable, system user, hardened systemd units) and dist/certfleet-<version>.tgz (npm).
package: setup
	@$(ENV) scripts/package-deb.sh && scripts/package-npm.sh
