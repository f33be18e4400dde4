SHELL := /bin/bash
ENV := source scripts/env.sh &&

.PHONY: setup demo test lint bench sbom audit chaos

setup:
	@scripts/setup.sh

demo: setup
	@$(ENV) node scripts/demo.mjs

# depcruise: no import cycle in src/ and dependencies only down the layers (.dependency-cruiser.js).
lint: setup
	@$(ENV) npx eslint --max-warnings 0 . && npx tsc --noEmit \
	  && npx depcruise src --output-type err \
	  && shellcheck bin/certfleet bin/container-entrypoint scripts/*.sh .ci/run \
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

# The chaos suite at full size (SIGKILLs, outages, concurrent processes); `make test` runs it reduced.
chaos: setup
	@$(ENV) CHAOS_FULL=1 npx vitest run test/chaos

bench: setup
	@$(ENV) node scripts/bench.mjs && node scripts/bench-dns.mjs && node scripts/bench-webhook.mjs && node scripts/bench-peer.mjs && node scripts/bench-daemon.mjs
