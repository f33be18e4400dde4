#!/usr/bin/env node
// Builds dist/sea/certfleet: one executable file, Node.js 24 with certfleet inside (Node's
// single-executable applications). Its main is src/cli/sea-main.ts, bundled to CommonJS (Node 24
// runs an injected main only as that); the one-shot bundle (scripts/bundle.mjs) is an asset, run
// through the one-shot loader as bin/certfleet runs it, with a cache of its top level taken here
// for a first run. The blob is injected with postject, the tool Node's documentation uses.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { bundleScriptSource } from '../dist/cli/one-shot-loader.js';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist/sea');
const exe = path.join(outdir, 'certfleet');
// `--if-stale`: build only when the executable is missing or older than a file it is made of
// (the .deb's packaging, the benchmarks and the tests ask this way).
const INPUTS = ['dist/bundle/one-shot.cjs', 'dist/cli/sea-main.js', 'dist/cli/one-shot-loader.js', 'dist/cli/daemon-runtime.js', 'scripts/sea.mjs'];
const mtime = (file, missing) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? missing;
if (process.argv.includes('--if-stale') && INPUTS.every((f) => mtime(path.join(root, f), Infinity) <= mtime(exe, 0))) process.exit(0);
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const bundleFile = path.join(root, 'dist/bundle/one-shot.cjs');
const bundleText = readFileSync(bundleFile, 'latin1');
// Its own id, not the checkout's: the two start V8 with different flags, and a flag V8 counts in a
// cache (the compiler tiers, say) set in one and not the other must not make them overwrite each
// other's cache on every run (one-shot-loader.ts keeps one of each).
const id = createHash('sha256').update('sea\0').update(bundleText, 'latin1').digest('hex').slice(0, 16);
// This Node.js is the executable's (copied below), so V8 takes this cache as its own.
const buildCache = path.join(outdir, 'one-shot.v8cache');
writeFileSync(buildCache, new vm.Script(bundleScriptSource(bundleText), { filename: bundleFile }).createCachedData());

const main = path.join(outdir, 'sea-main.cjs');
await build({
  entryPoints: [path.join(root, 'dist/cli/sea-main.js')], outfile: main,
  bundle: true, format: 'cjs', platform: 'node', target: 'node24', legalComments: 'none', logLevel: 'warning',
  define: { CERTFLEET_SEA_BUNDLE_ID: JSON.stringify(id) },
});

const config = path.join(outdir, 'sea-config.json');
writeFileSync(config, JSON.stringify({
  main,
  output: path.join(outdir, 'certfleet.blob'),
  disableExperimentalSEAWarning: true,
  // As bin/certfleet starts a daemon (docs/benchmarks.md: the reducer's full collections were most
  // of an idle minute's CPU). Only a start can set it, and a command that exits never misses it;
  // the daemons' other settings: src/cli/daemon-runtime.ts.
  execArgv: ['--no-memory-reducer'],
  assets: { 'one-shot.cjs': bundleFile, 'one-shot.v8cache': buildCache },
}));
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
execFileSync(path.join(root, 'node_modules/.bin/postject'), [exe, 'NODE_SEA_BLOB', path.join(outdir, 'certfleet.blob'), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'inherit'] });
for (const f of ['certfleet.blob', 'sea-config.json', 'sea-main.cjs', 'one-shot.v8cache']) rmSync(path.join(outdir, f));
console.log(`sea: ${path.relative(root, exe)} (certfleet ${version}, Node.js ${process.versions.node})`);
