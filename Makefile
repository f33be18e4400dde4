SHELL := /bin/bash
ENV := source scripts/env.sh &&

.PHONY: setup demo test unit lint bench

setup:
	@scripts/setup.sh

demo: setup
	@$(ENV) node scripts/demo.mjs

test: setup
	@$(ENV) npx tsc --noEmit && npx vitest run

bench: setup
	@$(ENV) node scripts/bench.mjs
