SHELL := /bin/bash
ENV := source scripts/env.sh &&

.PHONY: setup demo test lint bench

setup:
	@scripts/setup.sh

demo: setup
	@$(ENV) node scripts/demo.mjs

lint: setup
	@$(ENV) npx eslint --max-warnings 0 . && npx tsc --noEmit && shellcheck bin/certfleet scripts/*.sh .ci/run

test: lint
	@$(ENV) npx vitest run --coverage

bench: setup
	@$(ENV) node scripts/bench.mjs && node scripts/bench-dns.mjs && node scripts/bench-webhook.mjs && node scripts/bench-daemon.mjs
