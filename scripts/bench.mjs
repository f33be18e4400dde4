import { readFile } from 'node:fs/promises';
// make bench: issuance throughput against local pebble (PEBBLE_VA_NOSLEEP=1) and PowerDNS.
// Prints one line per benchmark and rewrites docs/benchmarks.md with the date and machine.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../dist/config/load-config.js';
import { issueAll } from '../dist/daemon/issue-run.js';
import { openAccount } from '../dist/issuer/acme-account.js';
import { FileStore } from '../dist/store/file-store.js';
import { createLogger } from '../dist/log.js';
import { startPebble } from '../build/test/support/pebble-server.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';
import { localConfigText } from '../build/test/support/local-stack.js';
import { benchDate, machine, percentile, writeBenchSection } from './bench-report.mjs';
import { removeTree } from '../build/test/support/remove-tree.js';

const N = Number(process.env.BENCH_N ?? 50);
const pdns = await startPowerDns(['bench.test']);
const pebble = await startPebble({ dnsServer: pdns.dnsAddress });
const work = await mkdtemp(path.join(os.tmpdir(), 'certfleet-bench-'));

function config(store, prefix) {
  const certs = Array.from({ length: N }, (_, i) => `  - name: ${prefix}${i}\n    domains: [${prefix}${i}.bench.test, www.${prefix}${i}.bench.test]\n    dns: home\n`).join('');
  return parseConfig(localConfigText({ store, pebble, pdns, certs }), 'bench.yaml');
}

const log = createLogger({ format: 'json', level: 'error' });

async function run(label, concurrency) {
  const store = path.join(work, label);
  const cfg = config(store, label);
  // Create the account first so every run measures issuance, not account set-up.
  const client = await openAccount(new FileStore({ root: store }), { directory: cfg.acme.directory, caBundle: await readFile(cfg.acme.ca_bundle, 'utf8') }, AbortSignal.timeout(30_000));
  await client.close();
  let requests = 0;
  const started = performance.now();
  const outcomes = await issueAll(cfg, log, { concurrency, onRequest: () => { requests++; } }, AbortSignal.timeout(600_000));
  const perCert = outcomes.filter((o) => o.result === 'issued').map((o) => o.ms / 1000);
  const failed = outcomes.filter((o) => o.result === 'failed').length;
  const wall = (performance.now() - started) / 1000;
  const r = { label, concurrency, n: N, failed, wall, perSecond: perCert.length / wall, p50: percentile(perCert, 50), p95: percentile(perCert, 95), requestsPerCert: requests / N };
  console.log(`${label}: ${N} certificates, concurrency ${concurrency}: ${wall.toFixed(2)} s, ${r.perSecond.toFixed(2)} cert/s, p50 ${r.p50.toFixed(3)} s, p95 ${r.p95.toFixed(3)} s, ${r.requestsPerCert.toFixed(1)} ACME requests/cert, ${failed} failed`);
  return r;
}

let results;
try {
  results = [await run('sequential', 1), await run('concurrent', 10)];
} finally {
  await pebble.stop();
  await pdns.stop();
  await removeTree(work);
}
const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(`peak RSS ${rssMb.toFixed(0)} MB`);
const table = results.map((r) => `| ${r.label} | ${r.n} | ${r.concurrency} | ${r.wall.toFixed(2)} | ${r.perSecond.toFixed(2)} | ${r.p50.toFixed(3)} | ${r.p95.toFixed(3)} | ${r.requestsPerCert.toFixed(1)} | ${r.failed} |`).join('\n');
const section = `## Issuance (\`make bench\`)

${benchDate()} — ${machine()}. Local pebble 2.4 (\`-strict\`, \`PEBBLE_VA_NOSLEEP=1\`, \`PEBBLE_AUTHZREUSE=0\`) and PowerDNS 4.7 (sqlite3) on loopback; one process; every certificate has two names; the ACME account exists before timing starts. Per-certificate times run from lock to files in \`live/\`.

| run | certificates | concurrency | wall s | cert/s | p50 s | p95 s | ACME requests/cert | failed |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${table}

Peak RSS of the benchmark process: ${rssMb.toFixed(0)} MB.`;
await writeBenchSection('issue-bench', section);
