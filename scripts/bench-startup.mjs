// Exec to exit of one-shot `bin/certfleet issue`: with nothing to do and for one certificate,
// wall and process CPU (median and minimum of ROUNDS), against a local pebble and PowerDNS. With
// CPU_PROF_DIR set, the runs also write V8 CPU profiles there (node --cpu-prof) for a look at
// where start-up goes. With BENCH_STARTUP_COMPARE=<another checkout's bin/certfleet>, both are
// run, alternated round by round, each with its own store: on a shared machine the load changes
// from minute to minute, and only runs side by side tell a 10 ms change apart.
// Issue 21, item 2 (bench-peer.mjs reports the same numbers beside certbot).
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { localConfigText } from '../build/test/support/local-stack.js';
import { startPebble } from '../build/test/support/pebble-server.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';
import { percentile, timedRun } from './bench-report.mjs';
import { removeTree } from '../build/test/support/remove-tree.js';

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 10);
const run = promisify(execFile);
const bins = { this: path.resolve(import.meta.dirname, '../bin/certfleet') };
if (process.env.BENCH_STARTUP_COMPARE) bins.compared = path.resolve(process.env.BENCH_STARTUP_COMPARE);

/** Milliseconds, wall and CPU; with CPU_PROF_DIR, each run writes its CPU profile there. */
async function timed(bin, args) {
  const r = await timedRun(bin, args, { env: { ...process.env, ...(process.env.CPU_PROF_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.CPU_PROF_DIR}` } : {}) } });
  return { wall: r.wall * 1000, cpu: r.cpu * 1000 };
}

const pdns = await startPowerDns(['peer.test']);
const pebble = await startPebble({ dnsServer: pdns.dnsAddress });
const work = await mkdtemp(path.join(os.tmpdir(), 'certfleet-startup-'));
try {
  const configs = {};
  for (const [label, bin] of Object.entries(bins)) {
    const certs = Array.from({ length: ROUNDS + 1 }, (_, i) => `  - name: s${i}\n    domains: ["${label}${i}.peer.test"]\n    dns: home\n`).join('');
    configs[label] = path.join(work, `${label}.yaml`);
    await writeFile(configs[label], localConfigText({ store: path.join(work, label), pebble, pdns, certs }));
    await run(bin, ['issue', '--config', configs[label], '--cert', 's0']); // the account, outside the timing
  }
  const one = Object.fromEntries(Object.keys(bins).map((l) => [l, []]));
  const nothing = Object.fromEntries(Object.keys(bins).map((l) => [l, []]));
  for (let i = 1; i <= ROUNDS; i++) for (const [l, bin] of Object.entries(bins)) one[l].push(await timed(bin, ['issue', '--config', configs[l], '--cert', `s${i}`]));
  for (let i = 0; i < ROUNDS; i++) for (const [l, bin] of Object.entries(bins)) nothing[l].push(await timed(bin, ['issue', '--config', configs[l]]));
  const show = (label, byBin) => {
    for (const [l, xs] of Object.entries(byBin)) {
      const wall = xs.map((x) => x.wall);
      const cpu = xs.map((x) => x.cpu);
      const who = bins.compared ? ` [${l === 'this' ? 'this tree' : bins.compared}]` : '';
      console.log(`${label}${who}: p50 ${percentile(wall, 50).toFixed(0)} ms exec to exit (min ${Math.min(...wall).toFixed(0)}), p50 ${percentile(cpu, 50).toFixed(0)} ms CPU (min ${Math.min(...cpu).toFixed(0)}) (${ROUNDS} runs)`);
    }
  };
  show('issue, one certificate', one);
  show('issue, nothing to do', nothing);
} finally {
  await pebble.stop();
  await pdns.stop();
  await removeTree(work);
}
