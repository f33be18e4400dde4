#!/usr/bin/env node
// The daemon's config parser on a large file (issue 16): a first parse in a fresh process, then
// re-parses after a one-entry edit with the same parser. The file is BENCH_PARSE_FILE (default:
// the 100,000-entry config the scale harness seeds, /tmp/scale100000/certfleet.yaml); the edits
// are its siblings certfleet+1.yaml … +5.yaml (one entry more each) when they exist, else the file
// with one entry appended. BENCH_PARSE_COMPARE=<another checkout> runs that tree's build too,
// alternated process by process: on a shared machine only runs side by side compare.
// Reads the build (dist/): run `npx tsc -p tsconfig.build.json` first.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { percentile } from './bench-report.mjs';

const file = path.resolve(process.env.BENCH_PARSE_FILE ?? '/tmp/scale100000/certfleet.yaml');
const ROUNDS = Number(process.env.BENCH_PARSE_ROUNDS ?? 5);
const EDITS = 5;

if (process.argv[2] === '--child') {
  // One process: the first parse, then EDITS re-parses. Prints JSON milliseconds.
  const { IncrementalConfigParser } = await import(path.join(process.argv[3], 'dist/config/incremental-config.js'));
  const text = readFileSync(file, 'utf8');
  const sibling = (i) => file.replace(/\.yaml$/, `+${i}.yaml`);
  const edits = Array.from({ length: EDITS }, (_, i) => (existsSync(sibling(i + 1)) ? readFileSync(sibling(i + 1), 'utf8')
    : `${text}  - name: bench-edit-${i}\n    domains: [bench-edit-${i}.example.test]\n    dns: ${/^\s+dns: (\S+)$/m.exec(text)?.[1] ?? 'home'}\n`));
  const parser = new IncrementalConfigParser();
  let t = performance.now();
  const count = parser.parse(text, file).certificates.length;
  const first = performance.now() - t;
  const re = edits.map((e) => { t = performance.now(); parser.parse(e, file); return performance.now() - t; });
  console.log(JSON.stringify({ count, first, re }));
} else {
  const run = promisify(execFile);
  const trees = { this: path.resolve(import.meta.dirname, '..') };
  if (process.env.BENCH_PARSE_COMPARE) trees.compared = path.resolve(process.env.BENCH_PARSE_COMPARE);
  const results = Object.fromEntries(Object.keys(trees).map((k) => [k, { first: [], re: [], count: 0 }]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [label, root] of Object.entries(trees)) {
      const { stdout } = await run(process.execPath, [import.meta.filename, '--child', root], { maxBuffer: 1 << 20 });
      const m = JSON.parse(stdout);
      results[label].first.push(m.first);
      results[label].re.push(...m.re);
      results[label].count = m.count;
    }
  }
  for (const [label, x] of Object.entries(results)) {
    const who = trees.compared ? ` [${label === 'this' ? 'this tree' : trees.compared}]` : '';
    const ms = (xs, p) => percentile(xs, p).toFixed(0);
    console.log(`config parse, ${x.count} certificates${who}: first p50 ${ms(x.first, 50)} ms (min ${Math.min(...x.first).toFixed(0)}, ${ROUNDS} processes); re-parse after a one-entry edit p50 ${ms(x.re, 50)} ms (max ${Math.max(...x.re).toFixed(0)}, ${x.re.length} parses)`);
  }
}
