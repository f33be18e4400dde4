// make bench (management API part): 1,000 certificates added through POST /v1/certificates, one
// request each, to a daemon whose store already holds them (so "planned" is read and scheduled,
// not issued). Prints the latency and the time until every one is planned, and rewrites its
// section of docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { localConfigText } from '../build/test/support/local-stack.js';
import { freePort } from '../build/test/support/free-port.js';
import { benchDate, machine, percentile, writeBenchSection } from './bench-report.mjs';
import { seedCertificates, startBench, stopBench } from './seed-store.mjs';

const N = Number(process.env.BENCH_API_N ?? 1000);
const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TOKEN = 'bench-api-token-0123456789abcdef';

const { pdns, pebble, work, storeDir, configFile } = await startBench('bench-api');
let daemon;

try {
  await seedCertificates({ storeDir, work, n: N, directory: pebble.directoryUrl });
  await writeFile(path.join(work, 'api-token'), `${TOKEN}\n`);
  const apiPort = await freePort();
  await writeFile(configFile, localConfigText({ store: storeDir, pebble, pdns, certs: '  []\n', extraTop: `server:\n  listen: 127.0.0.1:0\n  api: { listen: "127.0.0.1:${apiPort}", token_file: api-token }\n` }));

  daemon = spawn(path.join(root, 'bin/certfleet'), ['run', '--config', configFile, '--log-format', 'json', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr.on('data', (b) => { log += b.toString(); });
  const api = `http://127.0.0.1:${apiPort}`;
  const health = async () => {
    for (;;) {
      if ((await fetch(`${api}/v1/certificates/none`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.status, () => 0)) === 404) return;
      if (daemon.exitCode !== null) throw new Error(`daemon exited:\n${log}`);
      await sleep(20);
    }
  };
  await health();

  const times = [];
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    const res = await fetch(`${api}/v1/certificates`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `c${i}`, domains: [`c${i}.bench.test`], dns: 'home' }) });
    await res.text();
    if (res.status !== 201) throw new Error(`add c${i}: ${res.status}`);
    times.push(performance.now() - s);
  }
  const addsS = (performance.now() - t0) / 1000;
  // Planned: every certificate has been looked at and has its next renewal time (not due: valid 90 days).
  for (;;) {
    const res = await fetch(`${api}/v1/certificates`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const { certificates } = await res.json();
    if (certificates.length >= N && certificates.every((c) => c.nextRenewal !== 'now' && c.notAfter)) break;
    if (performance.now() - t0 > 120_000) throw new Error('not all planned after 120 s');
    await sleep(100);
  }
  const plannedS = (performance.now() - t0) / 1000;
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  console.log(`API: ${N} adds, one request each: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, ${addsS.toFixed(2)} s in all; every one planned ${plannedS.toFixed(2)} s after the first add`);
  const section = `## Management API (\`make bench\`)

${benchDate()} — ${machine()}. \`bin/certfleet run\` with \`server.api\`, the config file naming no certificate and the store already holding ${N} (valid 90 days); ${N} \`POST /v1/certificates\`, one after another on loopback, each a new certificate. "Planned": \`GET /v1/certificates\` shows every one with its next renewal time. Load average at the end: ${os.loadavg()[0].toFixed(1)} (other work on the machine slows the fsync of each add).

| measure | result | bar |
| --- | --- | --- |
| one add, p50 | ${p50.toFixed(1)} ms | ≤ 20 ms |
| one add, p95 | ${p95.toFixed(1)} ms | — |
| ${N} adds | ${addsS.toFixed(2)} s | — |
| every one planned | ${plannedS.toFixed(2)} s after the first add | — |`;
  await writeBenchSection('api-bench', section);
} finally {
  await stopBench({ daemon, pebble, pdns, work });
}
