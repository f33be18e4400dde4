// make bench (DNS part): propagation of 1 vs 20 challenge names in one zone, written through
// each provider that runs here for real (PowerDNS HTTP API, RFC 2136 to BIND and to Knot) and
// checked on the authoritative server. Prints one line per provider; rewrites its section of
// docs/benchmarks.md.
import { createSocket } from 'node:dgram';
import { NodeDnsLookup } from '../dist/dns/dns-lookup.js';
import { PowerDnsProvider } from '../dist/dns/powerdns.js';
import { DEFAULT_PROPAGATION, waitForTxt } from '../dist/dns/propagation.js';
import { Rfc2136Provider } from '../dist/dns/rfc2136/rfc2136-provider.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';
import { startBind, startKnot } from '../build/test/support/update-dns-servers.js';
import { benchDate, machine, writeBenchSection } from './bench-report.mjs';

const ROUNDS = 5;
const RTT_MS = 20;

/**
 * A UDP relay that delays every answer by RTT_MS: real authoritative servers are tens of
 * milliseconds away, where on loopback the cost of each query's own CPU dominates.
 */
async function delayedRelay(server) {
  const [host, port] = server.split(':');
  const front = createSocket('udp4');
  await new Promise((r) => front.bind(0, '127.0.0.1', r));
  front.on('message', (msg, client) => {
    const back = createSocket('udp4');
    back.on('message', (answer) => {
      setTimeout(() => { front.send(answer, client.port, client.address); back.close(); }, RTT_MS);
    });
    back.send(msg, Number(port), host);
  });
  return { address: `127.0.0.1:${front.address().port}`, close: () => front.close() };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label, provider, direct) {
  const relay = await delayedRelay(direct);
  try {
    return { ...(await measureVia(label, provider, direct)), far: await measureVia(`${label} via ${RTT_MS} ms`, provider, relay.address) };
  } finally {
    relay.close();
  }
}

async function measureVia(label, provider, server) {
  const lookup = new NodeDnsLookup([server]);
  const opts = { ...DEFAULT_PROPAGATION, nameservers: [server], timeoutMs: 30_000 };
  const run = async (n, round) => {
    const recs = Array.from({ length: n }, (_, i) => ({ name: `_acme-challenge.n${i}-r${round}-${n}`, type: 'TXT', data: `v-${i}-${round}`, ttl: 60 }));
    const t0 = performance.now();
    await provider.appendRecords('bench.test', recs, AbortSignal.timeout(30_000));
    const t1 = performance.now();
    await waitForTxt(lookup, [server], new Map(recs.map((r) => [`${r.name}.bench.test`, [r.data]])), opts, AbortSignal.timeout(30_000));
    const t2 = performance.now();
    await provider.deleteRecords('bench.test', recs, AbortSignal.timeout(30_000));
    return { write: t1 - t0, propagation: t2 - t1 };
  };
  const one = [];
  const twenty = [];
  for (let r = 0; r < ROUNDS; r++) {
    one.push(await run(1, r));
    twenty.push(await run(20, r));
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  const res = { label, w1: m(one, 'write'), w20: m(twenty, 'write'), one: m(one, 'propagation'), twenty: m(twenty, 'propagation') };
  console.log(`${label}: propagation 1 name ${res.one.toFixed(1)} ms, 20 names ${res.twenty.toFixed(1)} ms (x${(res.twenty / res.one).toFixed(2)}); write 1 name ${res.w1.toFixed(1)} ms, 20 names ${res.w20.toFixed(1)} ms (median of ${ROUNDS})`);
  return res;
}

const results = [];
const pdns = await startPowerDns(['bench.test']);
try {
  results.push(await measure('PowerDNS (HTTP API)', new PowerDnsProvider({ id: 'pdns', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' }), pdns.dnsAddress));
} finally { await pdns.stop(); }
for (const [label, start] of [['RFC 2136 to BIND 9', startBind], ['RFC 2136 to Knot', startKnot]]) {
  const s = await start(['bench.test']);
  try {
    results.push(await measure(label, new Rfc2136Provider({ id: 'ns', server: s.address, key: { name: s.key.name, algorithm: s.key.algorithm, secret: Buffer.from(s.key.secret, 'base64') } }), s.address));
  } finally { await s.stop(); }
}
const section = `## DNS propagation (\`make bench\`)

${benchDate()} — ${machine()}. Propagation: from the end of the provider call that wrote the TXT records to every value being visible on the authoritative server (loopback); the write is the provider call itself. Median of ${ROUNDS} rounds; 20 names are written in one provider call and checked in parallel.

The second group asks the same server through a relay that delays each answer by ${RTT_MS} ms, as a real authoritative server on the network would; the bar (20 names ≤ 2 × 1 name) is about that case. On loopback a query costs well under a millisecond, and the ratio there shows the per-query CPU of 20 parallel queries, not waiting.

| provider | propagation, 1 name | propagation, 20 names | ratio (bar ≤ 2) | write, 1 name | write, 20 names |
| --- | --- | --- | --- | --- | --- |
${results.map((r) => `| ${r.label}, ${RTT_MS} ms away | ${r.far.one.toFixed(1)} ms | ${r.far.twenty.toFixed(1)} ms | **${(r.far.twenty / r.far.one).toFixed(2)}** | — | — |`).join('\n')}
${results.map((r) => `| ${r.label}, loopback | ${r.one.toFixed(1)} ms | ${r.twenty.toFixed(1)} ms | ${(r.twenty / r.one).toFixed(2)} | ${r.w1.toFixed(1)} ms | ${r.w20.toFixed(1)} ms |`).join('\n')}`;
await writeBenchSection('dns-bench', section);
