// Exec to exit of one-shot `bin/certfleet issue`: with nothing to do and for one certificate,
// wall and process CPU (median of ROUNDS), against a local pebble and PowerDNS. With
// CPU_PROF_DIR set, the runs also write V8 CPU profiles there (node --cpu-prof) for a look at
// where start-up goes. Issue 21, item 2 (bench-peer.mjs reports the same numbers beside certbot).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { localConfigText } from '../build/test/support/local-stack.js';
import { startPebble } from '../build/test/support/pebble-server.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';
import { percentile, timedRun } from './bench-report.mjs';

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 10);
const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/certfleet');

/** Milliseconds, wall and CPU; with CPU_PROF_DIR, each run writes its CPU profile there. */
async function timed(args) {
  const r = await timedRun(bin, args, { env: { ...process.env, ...(process.env.CPU_PROF_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.CPU_PROF_DIR}` } : {}) } });
  return { wall: r.wall * 1000, cpu: r.cpu * 1000 };
}

const pdns = await startPowerDns(['peer.test']);
const pebble = await startPebble({ dnsServer: pdns.dnsAddress });
const work = await mkdtemp(path.join(os.tmpdir(), 'certfleet-startup-'));
try {
  const certs = Array.from({ length: ROUNDS + 1 }, (_, i) => `  - name: s${i}\n    domains: ["s${i}.peer.test"]\n    dns: home\n`).join('');
  const config = path.join(work, 'c.yaml');
  await writeFile(config, localConfigText({ store: path.join(work, 'store'), pebble, pdns, certs }));
  await run(bin, ['issue', '--config', config, '--cert', 's0']); // the account, outside the timing
  const one = [];
  for (let i = 1; i <= ROUNDS; i++) one.push(await timed(['issue', '--config', config, '--cert', `s${i}`]));
  const nothing = [];
  for (let i = 0; i < ROUNDS; i++) nothing.push(await timed(['issue', '--config', config]));
  const show = (label, xs) => console.log(`${label}: p50 ${percentile(xs.map((x) => x.wall), 50).toFixed(0)} ms exec to exit, p50 ${percentile(xs.map((x) => x.cpu), 50).toFixed(0)} ms CPU (${ROUNDS} runs)`);
  show('issue, one certificate', one);
  show('issue, nothing to do', nothing);
} finally {
  await pebble.stop();
  await pdns.stop();
  await rm(work, { recursive: true, force: true });
}
