#!/usr/bin/env node
// Regenerates the key reference of docs/config.md from the config schema (between its markers;
// the prose around them is kept). Reads the build: run `npx tsc -p tsconfig.build.json` first.
// `--check` only compares, exit 1 when the file is stale (for CI).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withReference } from '../dist/config/config-doc.js';

const file = path.resolve(import.meta.dirname, '..', 'docs', 'config.md');
const current = await readFile(file, 'utf8');
const next = withReference(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('docs/config.md is stale: run npx tsc -p tsconfig.build.json && node scripts/config-doc.mjs');
    process.exit(1);
  }
} else if (next !== current) {
  await writeFile(file, next);
  console.log('docs/config.md: key reference regenerated');
}
