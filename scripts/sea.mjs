#!/usr/bin/env node
// Builds dist/sea/certfleet: one executable file, Node.js 24 with certfleet inside (Node's
// single-executable applications). Node 24 runs an injected script only as CommonJS, from one
// file: the bundle's one-shot.cjs (scripts/bundle.mjs), dist/cli/main.js without splitting.
// The blob is injected with postject, the tool Node's documentation uses.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist/sea');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const config = path.join(outdir, 'sea-config.json');
writeFileSync(config, JSON.stringify({
  main: path.join(root, 'dist/bundle/one-shot.cjs'),
  output: path.join(outdir, 'certfleet.blob'),
  disableExperimentalSEAWarning: true,
  // V8's code cache in the blob: the start parses less (the bundle's compile cache does this for the checkout).
  useCodeCache: true,
}));
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
const exe = path.join(outdir, 'certfleet');
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
execFileSync(path.join(root, 'node_modules/.bin/postject'), [exe, 'NODE_SEA_BLOB', path.join(outdir, 'certfleet.blob'), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'inherit'] });
for (const f of ['certfleet.blob', 'sea-config.json']) rmSync(path.join(outdir, f));
console.log(`sea: ${path.relative(root, exe)} (certfleet ${version}, Node.js ${process.versions.node})`);
