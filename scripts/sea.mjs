#!/usr/bin/env node
// Builds dist/sea/certfleet: one executable file, Node.js 24 with certfleet inside (Node's
// single-executable applications). Node 24 runs an injected script only as CommonJS, from one
// file: so this is a second esbuild build of dist/cli/main.js, without splitting, in CommonJS.
// The blob is injected with postject, the tool Node's documentation uses.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist/sea');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

// `list`'s worker thread runs a file of its own in the bundle; here its code is a string in the one file (ListWorker).
const listWorker = await build({
  entryPoints: [path.join(root, 'dist/cli/list-worker.js')],
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  legalComments: 'none',
  logLevel: 'error',
});

await build({
  entryPoints: [path.join(root, 'dist/cli/main.js')],
  outfile: path.join(outdir, 'certfleet.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  legalComments: 'none',
  logLevel: 'error',
  // import.meta is empty in CommonJS; the one use (the checkout's package.json) is behind the version.
  define: { CERTFLEET_VERSION: JSON.stringify(version), CERTFLEET_LIST_WORKER: JSON.stringify(listWorker.outputFiles[0].text), 'import.meta.url': '"file:///usr/bin/certfleet"' },
});

const config = path.join(outdir, 'sea-config.json');
writeFileSync(config, JSON.stringify({
  main: path.join(outdir, 'certfleet.cjs'),
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
for (const f of ['certfleet.cjs', 'certfleet.blob', 'sea-config.json']) rmSync(path.join(outdir, f));
console.log(`sea: ${path.relative(root, exe)} (certfleet ${version}, Node.js ${process.versions.node})`);
