// make bench (peer part): certfleet and npm acme-client 5.4 side by side, in one run, against the
// same local pebble (PEBBLE_VA_NOSLEEP=1) and PowerDNS, with the same identifiers (every fifth
// certificate an apex + wildcard) and the same PowerDNS calls and propagation check. Pebble is
// reached through a counting TCP relay (pebble builds its URLs from the Host header, so every
// request goes through it): new connections are counted where they arrive, whoever opened them.
// Then one process per certificate: bin/certfleet issue --cert X against certbot 2.1 (Debian),
// and the same with the single executable (dist/sea/certfleet, built here when stale).
import { execFile, spawn } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import acme from 'acme-client';
import { parseConfig } from '../dist/config/load-config.js';
import { NodeDnsLookup } from '../dist/dns/dns-lookup.js';
import { PowerDnsProvider } from '../dist/dns/powerdns.js';
import { waitForTxt } from '../dist/dns/propagation.js';
import { openAccount } from '../dist/issuer/acme-account.js';
import { issueAll } from '../dist/daemon/issue-run.js';
import { createLogger } from '../dist/log.js';
import { FileStore } from '../dist/store/file-store.js';
import { localConfigText } from '../build/test/support/local-stack.js';
import { startPebble } from '../build/test/support/pebble-server.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';
import { benchDate, machine, percentile, timedRun, writeBenchSection } from './bench-report.mjs';
import { removeTree } from '../build/test/support/remove-tree.js';

const N = Number(process.env.BENCH_N ?? 50);
const SEQ_N = Number(process.env.BENCH_SEQ_N ?? 200);
const PROCESS_N = Number(process.env.BENCH_PROCESS_N ?? 10);
const ZONE = 'peer.test';
const run = promisify(execFile);

const pdns = await startPowerDns([ZONE]);
const pebble = await startPebble({ dnsServer: pdns.dnsAddress });
const work = await mkdtemp(path.join(os.tmpdir(), 'certfleet-peer-'));

// A TCP relay in front of pebble that counts the connections it accepts. A process of its own:
// piping every byte costs CPU, which process.cpuUsage() would otherwise charge to the client
// measured (more to acme-client, which sends twice the requests on new connections).
const RELAY = `
const { createServer, connect } = require('node:net');
const [port, host] = process.argv.slice(1);
let connections = 0;
const server = createServer((client) => {
  connections++;
  const upstream = connect(Number(port), host);
  client.pipe(upstream).pipe(client);
  const end = () => { client.destroy(); upstream.destroy(); };
  for (const s of [client, upstream]) { s.on('error', end); s.on('close', end); }
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ connections }));
`;
const upstream = new URL(pebble.directoryUrl);
const relay = spawn(process.execPath, ['-e', RELAY, upstream.port, upstream.hostname], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const relayAnswer = () => new Promise((resolve, reject) => {
  const onExit = (code) => reject(new Error(`the relay exited (${code})`));
  relay.once('exit', onExit);
  relay.once('message', (m) => { relay.off('exit', onExit); resolve(m); });
});
const relayPort = (await relayAnswer()).port;
/** The connections the relay has accepted so far. */
const relayConnections = async () => { const answer = relayAnswer(); relay.send('count'); return (await answer).connections; };
const directoryUrl = `https://127.0.0.1:${relayPort}/dir`;

// Every request to the CA: acme-client's (axios) through node:http's channel, certfleet's
// through its ACME client's onRequest hook, as bench.mjs counts them (it does not use node:http).
let requests = 0;
subscribe('http.client.request.start', ({ request }) => {
  if (request.getHeader('host') === `127.0.0.1:${relayPort}`) requests++;
});

const identifiers = (prefix, n) => Array.from({ length: n }, (_, i) => (i % 5 === 4 ? [`${prefix}${i}.${ZONE}`, `*.${prefix}${i}.${ZONE}`] : [`${prefix}${i}.${ZONE}`]));
/** The config's `certificates:` entries for identifiers(prefix, n), named `${name}0`, `${name}1`, ... */
const certEntries = (prefix, name, n) => identifiers(prefix, n).map((d, i) => `  - name: ${name}${i}\n    domains: [${d.map((x) => `"${x}"`).join(', ')}]\n    dns: home\n`).join('');
const log = createLogger({ format: 'json', level: 'error' });
const propagation = { nameservers: [pdns.dnsAddress], timeoutMs: 10_000, firstIntervalMs: 50, maxIntervalMs: 5_000 };

/** This process's CPU (user + system) since `from`, in seconds: the client's own, since pebble and PowerDNS are other processes. */
const cpuSince = (from) => { const u = process.cpuUsage(from); return (u.user + u.system) / 1e6; };

function summary(label, n, concurrency, wall, perCert, failed, counted, cpu) {
  const r = {
    label, n, concurrency, wall, failed, cpuPerCert: cpu / n, perSecond: perCert.length / wall, p50: percentile(perCert, 50), p95: percentile(perCert, 95), max: Math.max(...perCert),
    requestsPerCert: counted.requests / n, connectionsPerCert: counted.connections / n,
  };
  console.log(`${label}: ${n} certificates, concurrency ${concurrency}: ${wall.toFixed(2)} s, ${r.perSecond.toFixed(2)} cert/s, p50 ${r.p50.toFixed(3)} s, p95 ${r.p95.toFixed(3)} s, max ${r.max.toFixed(3)} s, ${r.requestsPerCert.toFixed(2)} requests and ${r.connectionsPerCert.toFixed(2)} connections per certificate, ${(r.cpuPerCert * 1000).toFixed(1)} ms CPU per certificate, ${failed} failed`);
  return r;
}

async function counter() {
  const start = { requests, connections: await relayConnections() };
  return async () => ({ requests: requests - start.requests, connections: (await relayConnections()) - start.connections });
}

async function certfleetRun(label, n, concurrency) {
  const store = path.join(work, label);
  const certs = certEntries(`${label}-`, 'c', n);
  const cfg = parseConfig(localConfigText({ store, pebble: { directoryUrl, caBundlePath: pebble.caBundlePath }, pdns, certs }), 'peer.yaml');
  const client = await openAccount(new FileStore({ root: store }), { directory: cfg.acme.directory, caBundle: await readFile(cfg.acme.ca_bundle, 'utf8') }, AbortSignal.timeout(30_000));
  await client.close();
  const counted = await counter();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const outcomes = await issueAll(cfg, log, { concurrency, onRequest: () => { requests++; } }, AbortSignal.timeout(600_000));
  const wall = (performance.now() - started) / 1000;
  const cpu = cpuSince(cpu0);
  const perCert = outcomes.filter((o) => o.result === 'issued').map((o) => o.ms / 1000);
  return summary(`certfleet ${label}`, n, concurrency, wall, perCert, outcomes.length - perCert.length, await counted(), cpu);
}

async function acmeClientRun(label, n, concurrency) {
  const provider = new PowerDnsProvider({ id: 'home', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' });
  const lookup = new NodeDnsLookup([pdns.dnsAddress]);
  acme.axios.defaults.httpsAgent = new Agent({ ca: pebble.caBundle, keepAlive: true });
  const client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
  await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:admin@example.test'] });
  const record = (authz, value) => ({ name: `_acme-challenge.${authz.identifier.value}`.replace(`.${ZONE}`, ''), type: 'TXT', data: value, ttl: 60 });
  const jobs = identifiers(`${label}-`, n);
  const perCert = [];
  let failed = 0;
  const counted = await counter();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    for (let domains = jobs.shift(); domains; domains = jobs.shift()) {
      const t0 = performance.now();
      try {
        const [, csr] = await acme.crypto.createCsr({ altNames: domains }, await acme.crypto.createPrivateEcdsaKey());
        await client.auto({
          csr, challengePriority: ['dns-01'], skipChallengeVerification: true, termsOfServiceAgreed: true,
          challengeCreateFn: async (authz, _challenge, value) => {
            await provider.appendRecords(ZONE, [record(authz, value)], AbortSignal.timeout(30_000));
            await waitForTxt(lookup, [pdns.dnsAddress], new Map([[`_acme-challenge.${authz.identifier.value}`, [value]]]), propagation, AbortSignal.timeout(30_000));
          },
          challengeRemoveFn: (authz, _challenge, value) => provider.deleteRecords(ZONE, [record(authz, value)], AbortSignal.timeout(30_000)),
        });
        perCert.push((performance.now() - t0) / 1000);
      } catch (err) {
        failed++;
        console.error(`acme-client ${domains[0]}: ${err.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - started) / 1000;
  return summary(`acme-client ${label}`, n, concurrency, wall, perCert, failed, await counted(), cpuSince(cpu0));
}

/** One process per certificate: bin/certfleet issue and certbot certonly --manual with PowerDNS hooks. */
async function processRuns() {
  const dir = path.join(work, 'process');
  const certs = certEntries('proc-', 'p', PROCESS_N);
  const configFile = path.join(work, 'process.yaml');
  await writeFile(configFile, localConfigText({ store: dir, pebble, pdns, certs }));
  const bin = path.resolve(import.meta.dirname, '../bin/certfleet');
  await run(bin, ['issue', '--config', configFile, '--cert', 'p0']); // the account, outside the timing
  const certfleet = [];
  for (let i = 1; i < PROCESS_N; i++) certfleet.push(await timedRun(bin, ['issue', '--config', configFile, '--cert', `p${i}`]));
  // Every certificate of the config is now current: exec to exit of a run that has nothing to do (a cron run on most days).
  const nothing = [];
  for (let i = 1; i < PROCESS_N; i++) nothing.push(await timedRun(bin, ['issue', '--config', configFile]));
  // The same two cases with the single executable (the .deb's /usr/bin/certfleet), on its own certificates.
  const seaConfig = path.join(work, 'sea.yaml');
  const seaCerts = certEntries('sea-', 's', PROCESS_N);
  await writeFile(seaConfig, localConfigText({ store: dir, pebble, pdns, certs: seaCerts }));
  const sea = await singleExecutable();
  await run(sea, ['issue', '--config', seaConfig, '--cert', 's0']); // its code cache, outside the timing
  const seaOne = [];
  for (let i = 1; i < PROCESS_N; i++) seaOne.push(await timedRun(sea, ['issue', '--config', seaConfig, '--cert', `s${i}`]));
  const seaNothing = [];
  for (let i = 1; i < PROCESS_N; i++) seaNothing.push(await timedRun(sea, ['issue', '--config', seaConfig]));
  // 200 certificates in one `certfleet issue`, at its default concurrency: CPU per certificate, start and exit included.
  const bulkFile = path.join(work, 'bulk.yaml');
  const bulkCerts = certEntries('bulk-', 'b', SEQ_N);
  await writeFile(bulkFile, localConfigText({ store: dir, pebble, pdns, certs: bulkCerts }));
  const bulk = await timedRun(bin, ['issue', '--config', bulkFile]);
  console.log(`${SEQ_N} certificates in one certfleet issue: ${bulk.wall.toFixed(2)} s, ${(bulk.cpu / SEQ_N * 1000).toFixed(1)} ms CPU per certificate (start included)`);
  // certbot's manual hooks write and delete the TXT record through the same PowerDNS API (curl).
  const hook = path.join(work, 'certbot-hook.sh');
  await writeFile(hook, `#!/bin/sh
name="_acme-challenge.$CERTBOT_DOMAIN."
if [ "$1" = auth ]; then body="{\\"rrsets\\":[{\\"name\\":\\"$name\\",\\"type\\":\\"TXT\\",\\"ttl\\":60,\\"changetype\\":\\"REPLACE\\",\\"records\\":[{\\"content\\":\\"\\\\\\"$CERTBOT_VALIDATION\\\\\\"\\",\\"disabled\\":false}]}]}"
else body="{\\"rrsets\\":[{\\"name\\":\\"$name\\",\\"type\\":\\"TXT\\",\\"changetype\\":\\"DELETE\\"}]}"; fi
curl -sf -X PATCH -H "X-API-Key: $PDNS_API_KEY" -H 'content-type: application/json' --data "$body" "$PDNS_API_URL/api/v1/servers/localhost/zones/${ZONE}."
`);
  await chmod(hook, 0o755);
  const certbotDir = path.join(work, 'certbot');
  const certbot = (name) => timedRun('certbot', ['certonly', '--non-interactive', '--agree-tos', '-m', 'admin@example.test', '--server', pebble.directoryUrl,
    '--manual', '--preferred-challenges', 'dns', '--manual-auth-hook', `${hook} auth`, '--manual-cleanup-hook', `${hook} cleanup`,
    '--key-type', 'ecdsa', '--config-dir', certbotDir, '--work-dir', certbotDir, '--logs-dir', certbotDir, '-d', name],
  { env: { ...process.env, REQUESTS_CA_BUNDLE: pebble.caBundlePath, PDNS_API_KEY: pdns.apiKey, PDNS_API_URL: pdns.apiUrl } });
  await certbot(`certbot-0.${ZONE}`); // the account, outside the timing
  const certbotTimes = [];
  let certbotFailed = 0;
  for (let i = 1; i < PROCESS_N; i++) {
    // certbot 2.1 against pebble now and then dies with "AttributeError: can't set attribute"
    // (seen on a badNonce retry): counted, not timed.
    const timed = await certbot(`certbot-${i}.${ZONE}`).catch((err) => { console.error(`certbot: ${err.stderr?.split('\n').find((l) => /Error/.test(l)) ?? err.message}`); return undefined; });
    if (timed) certbotTimes.push(timed);
    else certbotFailed++;
  }
  const p50 = (runs, key) => percentile(runs.map((x) => x[key]), 50);
  const r = {
    certfleet: p50(certfleet, 'wall'), certfleetCpu: p50(certfleet, 'cpu'), nothing: p50(nothing, 'wall'), nothingCpu: p50(nothing, 'cpu'),
    certbot: p50(certbotTimes, 'wall'), certbotCpu: p50(certbotTimes, 'cpu'), certbotFailed, bulk,
    sea: p50(seaOne, 'wall'), seaCpu: p50(seaOne, 'cpu'), seaNothing: p50(seaNothing, 'wall'), seaNothingCpu: p50(seaNothing, 'cpu'),
  };
  console.log(`one process per certificate, p50 of ${PROCESS_N - 1}: certfleet ${r.certfleet.toFixed(3)} s (${r.certfleetCpu.toFixed(2)} s CPU), certbot ${r.certbot.toFixed(3)} s (${r.certbotCpu.toFixed(2)} s CPU) (${(r.certbot / r.certfleet).toFixed(1)}x)`);
  console.log(`certfleet issue with nothing to do, exec to exit, p50 of ${PROCESS_N - 1}: ${r.nothing.toFixed(3)} s (${r.nothingCpu.toFixed(2)} s CPU)`);
  console.log(`single executable: one certificate ${r.sea.toFixed(3)} s (${r.seaCpu.toFixed(2)} s CPU), nothing to do ${r.seaNothing.toFixed(3)} s (${r.seaNothingCpu.toFixed(2)} s CPU)`);
  return r;
}

/** dist/sea/certfleet, built first when missing or older than what it is made of. */
async function singleExecutable() {
  const root = path.resolve(import.meta.dirname, '..');
  await run(process.execPath, [path.join(root, 'scripts/sea.mjs'), '--if-stale']);
  return path.join(root, 'dist/sea/certfleet');
}

let results;
let perProcess;
try {
  results = [
    await certfleetRun('sequential', SEQ_N, 1), await acmeClientRun('sequential', N, 1),
    await certfleetRun('ten-at-a-time', N, 10), await acmeClientRun('ten-at-a-time', N, 10),
  ];
  perProcess = await processRuns();
} finally {
  relay.kill();
  await pebble.stop();
  await pdns.stop();
  await removeTree(work);
}
const [, , cf10, ac10] = results;
const ratio = cf10.wall / ac10.wall;
const cpuRatio = cf10.cpuPerCert / ac10.cpuPerCert;
console.log(`ten at a time: certfleet's wall time is ${ratio.toFixed(2)} x acme-client's; CPU per certificate ${cpuRatio.toFixed(2)} x`);
const row = (r) => `| ${r.label} | ${r.n} | ${r.concurrency} | ${r.wall.toFixed(2)} | ${r.perSecond.toFixed(1)} | ${r.p50.toFixed(3)} | ${r.p95.toFixed(3)} | ${r.max.toFixed(3)} | ${r.requestsPerCert.toFixed(2)} | ${r.connectionsPerCert.toFixed(2)} | ${(r.cpuPerCert * 1000).toFixed(1)} | ${r.failed} |`;
await writeBenchSection('peer-bench', `## Side by side with npm acme-client 5.4, and certbot (\`make bench\`)

${benchDate()} — ${machine()}. One run, one local pebble 2.4 (\`PEBBLE_VA_NOSLEEP=1\`) reached through a counting TCP relay, one PowerDNS 4.7; every fifth certificate is an apex + wildcard, the rest one name; both clients write TXT records with the same PowerDNS provider code and wait for the same propagation check; acme-client runs through its \`auto()\` with ECDSA P-256 keys, as certfleet. Requests are every HTTP request to the CA; connections are new TCP (TLS) connections the relay (a process of its own) accepted.

| client | certificates | concurrency | wall s | cert/s | p50 s | p95 s | max s | requests/cert | connections/cert | client CPU ms/cert | failed |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${results.map(row).join('\n')}

Ten at a time, certfleet's wall time is **${ratio.toFixed(2)} ×** acme-client's, and its CPU per certificate **${cpuRatio.toFixed(2)} ×** acme-client's. Client CPU is the benchmark process's own (user + system, \`process.cpuUsage\`) during the run, start excluded: pebble and PowerDNS are other processes, sharing the same two cores.

One process per certificate (single name, account already made; p50 of ${PROCESS_N - 1}): \`bin/certfleet issue --cert X\` **${perProcess.certfleet.toFixed(3)} s** exec to exit (${perProcess.certfleetCpu.toFixed(2)} s CPU), certbot 2.1 \`certonly --manual\` with curl hooks to the same PowerDNS **${perProcess.certbot.toFixed(3)} s** (${perProcess.certbotCpu.toFixed(2)} s CPU, hooks included) (${(perProcess.certbot / perProcess.certfleet).toFixed(1)} ×)${perProcess.certbotFailed ? '; certbot failed ' + perProcess.certbotFailed + ' of ' + (PROCESS_N - 1) + ' (AttributeError, not timed)' : ''}. \`bin/certfleet issue\` with nothing to do (every certificate current): **${perProcess.nothing.toFixed(3)} s** exec to exit (${perProcess.nothingCpu.toFixed(2)} s CPU). The single executable (\`dist/sea/certfleet\`, the .deb's \`/usr/bin/certfleet\`): one certificate **${perProcess.sea.toFixed(3)} s** (${perProcess.seaCpu.toFixed(2)} s CPU, ${(perProcess.certbot / perProcess.sea).toFixed(1)} × certbot), nothing to do **${perProcess.seaNothing.toFixed(3)} s** (${perProcess.seaNothingCpu.toFixed(2)} s CPU). Process CPU from the shell's \`times\` (10 ms ticks).

${SEQ_N} certificates in one \`bin/certfleet issue\` (default concurrency, same account): ${perProcess.bulk.wall.toFixed(2)} s, **${(perProcess.bulk.cpu / SEQ_N * 1000).toFixed(1)} ms of certfleet CPU per certificate**, start and exit included.`);
