#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js, built by tsc) into dist/bundle/, with the production
// dependencies inside: one ES module per command and shared chunks (the daemons), and one
// CommonJS file (the one-shot commands). Node then reads a few files instead of about 300 (zod and
// yaml are each dozens of modules): 30-50 ms less for every `certfleet` start
// (docs/benchmarks.md), and the image needs no node_modules at all.
// Also writes the licences of every bundled package to dist/bundle/THIRD-PARTY-LICENSES.txt.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');

/**
 * zod's namespace export carries all ~50 message locales, so no tree-shaking can drop them;
 * certfleet's messages are English, which zod loads on its own (47 ms of every start, measured).
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";', resolveDir: path.dirname(args.path), loader: 'js',
    }));
  },
};
const outdir = path.join(root, 'dist/bundle');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

/**
 * V8 keeps each module's source text for the process's life, one byte per character only while
 * every character is Latin-1: a single em dash in a comment (esbuild escapes non-ASCII in code,
 * not in comments) made zod's 400 KB chunk an 800 KB two-byte string in every daemon's heap.
 * ASCII also lets the one-shot loader read its bundle as latin1.
 */
// eslint-disable-next-line no-control-regex
const asciiOnly = (text) => (/[^\x00-\x7f]/.test(text) ? text.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`) : text);

// The one-shot commands' bundle: dist/cli/main.js in one CommonJS file, which the one-shot loader
// (src/cli/one-shot-loader.ts) compiles with a code cache taken after a run. The single
// executable (scripts/sea.mjs) runs the same file. `list`'s worker thread runs from a string in it
// (ListWorker), as a CommonJS file has no chunk beside it to name.
const listWorker = await build({
  entryPoints: [path.join(root, 'dist/cli/list-worker.js')],
  bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node24', legalComments: 'none', logLevel: 'error',
});
const oneShot = await build({
  entryPoints: [path.join(root, 'dist/cli/main.js')],
  bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node24', legalComments: 'none', logLevel: 'warning',
  plugins: [zodEnglishOnly],
  // import.meta is empty in CommonJS; its one use (the checkout's package.json) is behind CERTFLEET_VERSION.
  define: { CERTFLEET_VERSION: JSON.stringify(version), CERTFLEET_LIST_WORKER: JSON.stringify(listWorker.outputFiles[0].text), 'import.meta.url': '"file:///usr/bin/certfleet"' },
});
const oneShotText = asciiOnly(oneShot.outputFiles[0].text);
writeFileSync(path.join(outdir, 'one-shot.cjs'), oneShotText);
// The build's id names its code caches: V8 checks a cache against the source's length only.
const oneShotId = createHash('sha256').update(oneShotText).digest('hex').slice(0, 16);

const result = await build({
  // entry.js checks the Node version before main.js's imports are linked; list-worker.js is
  // `list`'s worker thread, loaded by its file name (ListWorker).
  entryPoints: [path.join(root, 'dist/cli/entry.js'), path.join(root, 'dist/cli/main.js'), path.join(root, 'dist/cli/list-worker.js')],
  define: { CERTFLEET_VERSION: JSON.stringify(version), CERTFLEET_ONE_SHOT_ID: JSON.stringify(oneShotId) },
  outdir,
  bundle: true,
  splitting: true, // each command's dynamic import stays its own chunk: `run` never parses `webhook`
  format: 'esm',
  platform: 'node',
  target: 'node24',
  metafile: true,
  legalComments: 'none', // the licences go in full to THIRD-PARTY-LICENSES.txt
  logLevel: 'warning',
  plugins: [zodEnglishOnly],
  // CommonJS dependencies (yaml, pg) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __certfleetRequire } from 'node:module'; const require = __certfleetRequire(import.meta.url);" },
});
for (const file of Object.keys(result.metafile.outputs)) {
  const text = readFileSync(file, 'utf8');
  const ascii = asciiOnly(text);
  if (ascii !== text) writeFileSync(file, ascii);
}

const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.add(m[1]);
}
const licences = [...packages].sort().map((name) => {
  const dir = path.join(root, 'node_modules', name);
  const { version, license } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? readFileSync(path.join(dir, file), 'utf8').trim() : `(no licence file; package.json says ${license})`;
  return `${name} ${version} (${license})\n\n${text}\n`;
});
writeFileSync(path.join(outdir, 'THIRD-PARTY-LICENSES.txt'), `Packages bundled into certfleet's dist/bundle:\n\n${licences.join(`\n${'-'.repeat(72)}\n\n`)}`);
console.log(`bundle: dist/bundle (${packages.size} packages inside)`);
