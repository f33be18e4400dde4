// Profiles one process issuing N certificates in-process (issueAll, as bench-peer.mjs), with
// node:inspector's Profiler around the issuance only, and prints self time by category.
// Usage: node scripts/profile-issue.mjs [N] [concurrency]  (writes $PROFILE_OUT if set)
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { subscribe } from 'node:diagnostics_channel';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../dist/config/load-config.js';
import { openAccount } from '../dist/issuer/acme-account.js';
import { issueAll } from '../dist/daemon/issue-run.js';
import { createLogger } from '../dist/log.js';
import { FileStore } from '../dist/store/file-store.js';
import { localConfigText } from '../build/test/support/local-stack.js';
import { startPebble } from '../build/test/support/pebble-server.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';

// New connections by origin (pebble's ACME server, PowerDNS's API), to tell connect cost apart.
const connections = new Map();
// Requests by method and path shape (ids cut off), to count round trips per certificate.
const requests = new Map();
// certfleet's HTTP client is not node:http: its pool publishes each request, and whether its
// connection is new, on a channel of its own.
subscribe('certfleet:http.request', ({ method, origin, pathname, reused }) => {
  const key = `${method} ${origin}${pathname.replace(/\/[A-Za-z0-9_-]{8,}.*$/, '/…').replace(/zones\/.*/, 'zones/…')}`;
  requests.set(key, (requests.get(key) ?? 0) + 1);
  if (!reused) connections.set(origin, (connections.get(origin) ?? 0) + 1);
});
const N = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 1);
const ZONE = 'peer.test';
const pdns = await startPowerDns([ZONE]);
const pebble = await startPebble({ dnsServer: pdns.dnsAddress });
const work = await mkdtemp(path.join(os.tmpdir(), 'certfleet-prof-'));
try {
  const certs = Array.from({ length: N }, (_, i) => (i % 5 === 4 ? [`p${i}.${ZONE}`, `*.p${i}.${ZONE}`] : [`p${i}.${ZONE}`]))
    .map((d, i) => `  - name: c${i}\n    domains: [${d.map((x) => `"${x}"`).join(', ')}]\n    dns: home\n`).join('');
  const cfg = parseConfig(localConfigText({ store: work, pebble, pdns, certs }), 'prof.yaml');
  const client = await openAccount(new FileStore({ root: work }), { directory: cfg.acme.directory, caBundle: await readFile(cfg.acme.ca_bundle, 'utf8') }, AbortSignal.timeout(30_000));
  await client.close();
  const log = createLogger({ format: 'json', level: 'error' });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  connections.clear();
  requests.clear();
  const outcomes = await issueAll(cfg, log, { concurrency: CONCURRENCY }, AbortSignal.timeout(600_000));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const { profile } = await session.post('Profiler.stop');
  if (process.env.PROFILE_OUT) await writeFile(process.env.PROFILE_OUT, JSON.stringify(profile));
  const issued = outcomes.filter((o) => o.result === 'issued').length;
  console.log(`${issued}/${N} issued, wall ${(wall / 1000).toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms/cert (user ${(cpu.user / 1000 / N).toFixed(2)}, system ${(cpu.system / 1000 / N).toFixed(2)})`);
  // Self time per node, then per function and per category (by URL and name).
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map();
  const cat = new Map();
  const classify = (id) => {
    // Walk up the stack: the first frame that names a category wins.
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const { url, functionName } = byId.get(cur).callFrame;
      const f = `${functionName} ${url}`;
      if (/\(idle\)/.test(f)) return 'idle';
      if (/\(garbage collector\)/.test(f)) return 'gc';
      if (/\(program\)/.test(f)) return 'program (native, outside JS)';
      if (/log\.js|pino|redact/.test(f)) return 'logging';
      if (/jws\.js|signJws|sign\b/.test(f)) return 'JWS / ECDSA sign';
      if (/keys\.js|generateKey|csr\.js/.test(f)) return 'key generation / CSR';
      if (/lock-file|fencing/.test(f)) return 'locks / fencing';
      if (/file-store|sync-directory|certbot-layout|store\//.test(f)) return 'store writes';
      if (/propagation|dns-lookup|node:dns|powerdns/.test(f)) return 'DNS';
      if (/_tls_|tls_wrap|node:tls|node:_tls/.test(f)) return 'TLS';
      if (/node:_http|node:http|node:https|http\//.test(f)) return 'HTTP';
      if (/JSON|parse|stringify/.test(functionName)) return 'JSON';
      if (/timers|setTimeout/.test(f)) return 'timers';
    }
    return 'other';
  };
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const k = `${functionName || '(anon)'} ${url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + t);
    const c = classify(id);
    cat.set(c, (cat.get(c) ?? 0) + t);
  }
  const busy = total - (cat.get('idle') ?? 0);
  console.log(`new connections per certificate: ${[...connections].map(([origin, n]) => `${origin} (${origin === new URL(pebble.directoryUrl).origin ? 'ACME' : origin === new URL(pdns.apiUrl).origin ? 'PowerDNS API' : '?'}) ${(n / N).toFixed(2)}`).join(', ')}`);
  console.log(`requests per certificate: ${[...requests].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${(n / N).toFixed(2)}`).join(', ')}`);
  console.log(`profile: ${(busy / 1000 / N).toFixed(2)} ms busy per cert`);
  for (const [k, t] of [...cat].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(30)} ${(t / 1000 / N).toFixed(3)} ms/cert  ${(100 * t / busy).toFixed(1)} %`);
  console.log('top functions (self):');
  for (const [k, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) console.log(`  ${(t / 1000 / N).toFixed(3)} ms/cert ${(100 * t / busy).toFixed(1).padStart(5)} %  ${k}`);
} finally {
  await pebble.stop();
  await pdns.stop();
  await rm(work, { recursive: true, force: true });
}
