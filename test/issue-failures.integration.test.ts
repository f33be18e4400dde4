import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeProblem } from '../src/acme/problem.js';
import { DEFAULT_RETRY_POLICY } from '../src/acme/retry-policy.js';
import { CertfleetError } from '../src/errors.js';
import { parseConfig } from '../src/config/load-config.js';
import type { DnsProvider } from '../src/dns/dns-provider.js';
import { PowerDnsProvider } from '../src/dns/powerdns.js';
import { NodeDnsLookup } from '../src/dns/dns-lookup.js';
import { openAccount } from '../src/issuer/acme-account.js';
import { AcmeIssuer } from '../src/issuer/acme-issuer.js';
import { generatePrivateKey } from '../src/acme/keys.js';
import { sweepStore } from '../src/issue/sweep-store.js';
import { composeRenewer } from '../src/daemon/compose.js';
import { Dns01Solver } from '../src/solver/dns01-solver.js';
import { DnsRouter } from '../src/solver/dns-router.js';
import { StateUpdates } from '../src/solver/state-updates.js';
import { HttpPool } from '../src/http/http-pool.js';
import { captureLog } from './support/test-log.js';
import { issueAll } from '../src/daemon/issue-run.js';
import { FileStore } from '../src/store/file-store.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';
import { startPebble, type PebbleServer } from './support/pebble-server.js';
import type { PowerDnsServer } from './support/powerdns-server.js';

const S = () => AbortSignal.timeout(10_000);

let stack: LocalStack;
let pdns: PowerDnsServer;
let pebble: PebbleServer;
let dir: string;
const captured = captureLog();
const log = captured.log;

beforeAll(async () => {
  stack = await startLocalStack(['example.test', 'other.test']);
  ({ pdns, pebble, dir } = stack);
});
// The suite's secret scan (test/secret-scan.setup.ts) checks these lines for the PowerDNS and EAB keys.
afterAll(() => stack?.stop());

function config(certs: string, o: { store?: string; server?: PebbleServer; apiKey?: string; extraAcme?: string; directory?: string } = {}) {
  const server = o.server ?? pebble;
  return parseConfig(localConfigText({
    store: o.store ?? path.join(dir, 'store'), pebble: server, pdns, certs,
    ...(o.directory ? { directory: o.directory } : {}), ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.extraAcme ? { extraAcme: o.extraAcme } : {}),
  }), 'test.yaml');
}

/**
 * The config's ACME issuer with its DNS-01 solver writing through `provider`, as the composition
 * root wires them; `issue` holds the certificate's lease and waits for the cleanup, as the pipeline does.
 */
function issuerWith(root: string, provider: DnsProvider, o: { writeRetryMs?: number; resolvers?: string[] } = {}) {
  const cfg = config('  - name: x\n    domains: [x.example.test]\n    dns: home\n', { store: root });
  const store = new FileStore({ root });
  const lookup = new NodeDnsLookup(o.resolvers ?? [pdns.dnsAddress]);
  const router = new DnsRouter({ providers: cfg.dns.providers, lookup, create: () => Promise.resolve(provider) });
  const solver = new Dns01Solver({ store: store, updates: new StateUpdates(store), router, lookup, log, cleanupTimeoutMs: 30_000, writeRetryMs: o.writeRetryMs ?? 15_000 });
  const acme = { directory: pebble.directoryUrl, caBundle: pebble.caBundle };
  const issuer = new AcmeIssuer({ directory: acme.directory, open: (s) => openAccount(store, acme, s), accounts: store, solver, log, now: Date.now });
  const issue = async (name: string, domains: string[]) => {
    const lease = await store.lock(name, AbortSignal.timeout(5_000));
    const tasks: Promise<void>[] = [];
    try {
      return await issuer.issue({ name, domains, key: generatePrivateKey('ecdsa-p256'), dns: 'home', followCnames: true, lease, background: (t) => tasks.push(t) }, AbortSignal.timeout(30_000));
    } finally {
      await Promise.all(tasks);
      await lease.release();
    }
  };
  return { issue, close: () => issuer.close() };
}

async function txtLeft(zone: string): Promise<string[]> {
  const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, { headers: { 'x-api-key': pdns.apiKey } });
  return ((await res.json()) as { rrsets: { name: string; type: string }[] }).rrsets.filter((r) => r.type === 'TXT').map((r) => r.name);
}

describe('issuance variants', () => {
  it('three names with an RSA key', async () => {
    const out = await issueAll(config('  - name: three\n    domains: [a.example.test, b.example.test, c.other.test]\n    dns: home\n    key_type: rsa-2048\n'), log, {}, AbortSignal.timeout(60_000));
    expect(out).toMatchObject([{ result: 'issued' }]);
    const live = path.join(dir, 'store/live/three');
    const cert = new X509Certificate(await readFile(path.join(live, 'cert.pem')));
    expect(cert.subjectAltName).toBe('DNS:a.example.test, DNS:b.example.test, DNS:c.other.test');
    expect(createPrivateKey(await readFile(path.join(live, 'privkey.pem'))).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect([...await txtLeft('example.test'), ...await txtLeft('other.test')]).toEqual([]);
  });

  it('several certificates at once, ECDSA P-384 among them', async () => {
    const certs = ['p1', 'p2', 'p3', 'p4', 'p5'].map((n) => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: home\n    key_type: ecdsa-p384\n`).join('');
    const out = await issueAll(config(certs), log, { concurrency: 5 }, AbortSignal.timeout(60_000));
    expect(out.map((o) => o.result)).toEqual(['issued', 'issued', 'issued', 'issued', 'issued']);
  });

  it('revokes a certificate; a second revocation is refused with alreadyRevoked', async () => {
    const store = new FileStore({ root: path.join(dir, 'store') });
    await issueAll(config('  - name: rev\n    domains: [rev.example.test]\n    dns: home\n'), log, {}, AbortSignal.timeout(60_000));
    const stored = await store.load('rev', S());
    const client = await openAccount(store, { directory: pebble.directoryUrl, caBundle: pebble.caBundle }, AbortSignal.timeout(10_000));
    const der = new X509Certificate(stored!.pem.cert).raw;
    await client.revoke(der, 4, AbortSignal.timeout(10_000));
    const again = await client.revoke(der, 4, AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AcmeProblem);
    expect((again as AcmeProblem).shortType).toBe('alreadyRevoked');
    await client.close();
  });
});

describe('CA behaviour', () => {
  it('succeeds with External Account Binding, and fails clearly with a wrong HMAC key', async () => {
    const eabPebble = await startPebble({ dnsServer: pdns.dnsAddress, requireEab: true });
    try {
      const cert = '  - name: eab\n    domains: [eab.example.test]\n    dns: home\n';
      const none = await issueAll(config(cert, { server: eabPebble, store: path.join(dir, 'eab0') }), log, {}, AbortSignal.timeout(60_000));
      expect(none[0]).toMatchObject({ result: 'failed', detail: expect.stringMatching(/externalAccountRequired/) });
      const wrong = await issueAll(config(cert, { server: eabPebble, store: path.join(dir, 'eab1'), extraAcme: `  eab: { kid: ${eabPebble.eab!.kid}, hmac_key: ${Buffer.from('wrong-key-wrong-key-wrong-key-00').toString('base64url')} }\n` }), log, {}, AbortSignal.timeout(60_000));
      expect(wrong[0]).toMatchObject({ result: 'failed', detail: expect.stringMatching(/^ACME account: ACME unauthorized \(HTTP 403\) at .*: external account binding JWS verification error/) });
      const right = await issueAll(config(cert, { server: eabPebble, store: path.join(dir, 'eab2'), extraAcme: `  eab: { kid: ${eabPebble.eab!.kid}, hmac_key: ${eabPebble.eab!.hmacKey} }\n` }), log, {}, AbortSignal.timeout(60_000));
      expect(right[0]).toMatchObject({ result: 'issued' });
    } finally {
      await eabPebble.stop();
    }
  });

  it('still succeeds when the CA rejects half of all nonces', async () => {
    const flaky = await startPebble({ dnsServer: pdns.dnsAddress, env: { PEBBLE_WFE_NONCEREJECT: '50' } });
    try {
      const certs = ['n1', 'n2', 'n3'].map((n) => `  - name: ${n}\n    domains: [${n}.example.test, "*.${n}.example.test"]\n    dns: home\n`).join('');
      const out = await issueAll(config(certs, { server: flaky, store: path.join(dir, 'nonce') }), log, { concurrency: 3 }, AbortSignal.timeout(60_000));
      expect(out.map((o) => `${o.name} ${o.result} ${o.detail}`)).toEqual(out.map((o) => `${o.name} issued ${o.detail}`));
    } finally {
      await flaky.stop();
    }
  });

  it('reports an unreachable CA', async () => {
    const out = await issueAll(config('  - name: x\n    domains: [x.example.test]\n    dns: home\n', { directory: 'https://127.0.0.1:1/dir', store: path.join(dir, 'unreach') }), log, {}, AbortSignal.timeout(60_000));
    expect(out[0]).toMatchObject({ name: 'x', result: 'failed', detail: expect.stringMatching(/directory: no answer from the CA at https:\/\/127\.0\.0\.1:1\/dir: .*ECONNREFUSED/) });
  }, 60_000);

  it('a CA that is down is asked once for a whole batch, not once per certificate', async () => {
    let requests = 0;
    const server = createServer((_req, res) => { requests++; res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '0' }).end('down for maintenance'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const directory = `http://127.0.0.1:${(server.address() as { port: number }).port}/dir`;
    const certs = ['m1', 'm2', 'm3'].map((n) => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: home\n`).join('');
    const cfg = config(certs, { store: path.join(dir, 'down') });
    cfg.acme.directory = directory; // plain HTTP: set after validation
    const out = await issueAll(cfg, log, { concurrency: 1 }, AbortSignal.timeout(60_000));
    server.close();
    expect(out.map((o) => o.result)).toEqual(['failed', 'failed', 'failed']);
    for (const o of out) expect(o.detail).toMatch(/^ACME account: directory: the CA answered 503 .*down for maintenance/);
    // The directory asked as often as the retry policy allows, for the first certificate; the
    // other two get the remembered failure.
    expect(requests).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('reports a CA that answers something that is not JSON', async () => {
    const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { AcmeClient } = await import('../src/acme/acme-client.js');
    const { generatePrivateKey } = await import('../src/acme/keys.js');
    const directoryUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/dir`;
    // Garbage is retried (a failing-over proxy sends it); short backoff so the test is quick.
    const client = new AcmeClient({ directoryUrl, accountKey: await generatePrivateKey('ecdsa-p256'), retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 5 } });
    await expect(client.directory(AbortSignal.timeout(5000))).rejects.toThrow(`directory: the CA answered 200 with a body that is not JSON (text/html, 18 bytes) at ${directoryUrl}`);
    await client.close();
    server.close();
  });
});

describe('DNS failures', () => {
  it('a PowerDNS key that is refused fails clearly and leaves nothing under live/', async () => {
    const store = path.join(dir, 'badkey');
    const out = await issueAll(config('  - name: k\n    domains: [k.example.test]\n    dns: home\n', { apiKey: 'wrong', store }), log, {}, AbortSignal.timeout(60_000));
    expect(out[0]).toMatchObject({ result: 'failed', detail: expect.stringMatching(/PowerDNS provider home, zone example.test: API key refused \(HTTP 401\)/) });
    expect(out[0]!.detail).not.toContain('wrong');
    expect(await readdir(path.join(store, 'live')).catch(() => [])).toEqual([]);
  });

  it('a zone that does not exist fails clearly', async () => {
    const out = await issueAll(config('  - name: z\n    domains: [www.nowhere.test]\n    dns: home\n', { store: path.join(dir, 'nozone') }), log, {}, AbortSignal.timeout(60_000));
    expect(out[0]).toMatchObject({ result: 'failed', detail: expect.stringMatching(/no zone found for _acme-challenge.www.nowhere.test/) });
  });

  it('a provider failing midway: TXT records removed, the error reported', async () => {
    const real = new PowerDnsProvider({ id: 'home', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' });
    const domains = ['mid.example.test', 'mid.other.test'];
    const ok = issuerWith(path.join(dir, 'midway'), real);
    expect((await ok.issue('mid', domains)).chain.length).toBeGreaterThan(0);
    await ok.close();

    // Writes into example.test go through; other.test fails after PowerDNS accepted the write.
    const failing: DnsProvider = {
      id: 'home',
      async appendRecords(zone, recs, signal) {
        const done = await real.appendRecords(zone, recs, signal);
        // Not retryable: the write is not tried again for its 15 s budget.
        if (zone === 'other.test') throw new CertfleetError('DNS_PROVIDER', 'injected: HTTP 422 after the write landed');
        return done;
      },
      deleteRecords: (zone, recs, signal) => real.deleteRecords(zone, recs, signal),
    };
    const bad = issuerWith(path.join(dir, 'midway'), failing);
    await expect(bad.issue('mid', domains)).rejects.toThrow(/injected/);
    expect(await txtLeft('example.test')).toEqual([]);
    expect(await txtLeft('other.test')).toEqual([]);
    await bad.close();
  });
});

describe('challenge TXT records', () => {
  /** The values of the TXT RRset at `name` (absolute, no trailing dot), unquoted. */
  async function txtValues(zone: string, name: string): Promise<string[]> {
    const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, { headers: { 'x-api-key': pdns.apiKey } });
    const z = (await res.json()) as { rrsets: { name: string; type: string; records: { content: string }[] }[] };
    return z.rrsets.find((r) => r.type === 'TXT' && r.name === `${name}.`)?.records.map((r) => r.content.replace(/^"|"$/g, '')).sort() ?? [];
  }
  const real = () => new PowerDnsProvider({ id: 'home', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' });

  it('notes every value in the state file before writing it, and forgets it once deleted', async () => {
    const store = new FileStore({ root: path.join(dir, 'ledger') });
    const inner = real();
    const notedAtWrite: boolean[] = [];
    const watching: DnsProvider = {
      id: 'home',
      async appendRecords(zone, recs, signal) {
        const noted = (await store.readState('led', S())).state.pendingTxt ?? [];
        notedAtWrite.push(recs.every((r) => noted.some((n) => n.value === r.data && n.zone === zone && n.provider === 'home')));
        return inner.appendRecords(zone, recs, signal);
      },
      deleteRecords: (zone, recs, signal) => inner.deleteRecords(zone, recs, signal),
    };
    const issuer = issuerWith(path.join(dir, 'ledger'), watching);
    await issuer.issue('led', ['led.example.test', 'led.other.test']);
    expect(notedAtWrite).toEqual([true, true]);
    expect((await store.readState('led', S())).state.pendingTxt).toBeUndefined();
    await issuer.close();
  });

  it('values a killed run left are deleted at the next look, due or not; another value at the name stays', async () => {
    const root = path.join(dir, 'leftover');
    const cfg = config('  - name: left\n    domains: [left.example.test]\n    dns: home\n', { store: root });
    expect(await issueAll(cfg, log, {}, AbortSignal.timeout(60_000))).toMatchObject([{ result: 'issued' }]);
    const store = new FileStore({ root });
    const name = '_acme-challenge.left.example.test';
    // What a run killed between its write and its cleanup leaves: the values in DNS and noted.
    const p = real();
    await p.appendRecords('example.test', [{ name: '_acme-challenge.left', type: 'TXT', data: 'killed-run-1', ttl: 60 }, { name: '_acme-challenge.left', type: 'TXT', data: 'killed-run-2', ttl: 60 }, { name: '_acme-challenge.left', type: 'TXT', data: 'not-certfleets', ttl: 60 }], AbortSignal.timeout(5000));
    const note = async (values: string[]) => {
      const { state, version } = await store.readState('left', S());
      await store.writeState('left', { ...state, pendingTxt: values.map((value) => ({ provider: 'home', zone: 'example.test', name, value, ttl: 60 })) }, { expectedVersion: version }, S());
    };
    await note(['killed-run-1', 'killed-run-2']);

    // Not due: skipped, and the leftovers are gone all the same.
    expect(await issueAll(cfg, log, {}, AbortSignal.timeout(60_000))).toMatchObject([{ result: 'skipped' }]);
    expect(await txtValues('example.test', name)).toEqual(['not-certfleets']);
    expect((await store.readState('left', S())).state.pendingTxt).toBeUndefined();
    expect(captured.records().some((r) => r.msg === 'txt_leftovers_removed' && r.cert === 'left')).toBe(true);

    // Before an issuance, under the lock, likewise (Renewer.sweepLeftoverTxt, for a start-time sweep, too).
    await p.appendRecords('example.test', [{ name: '_acme-challenge.left', type: 'TXT', data: 'killed-run-3', ttl: 60 }], AbortSignal.timeout(5000));
    await note(['killed-run-3']);
    expect(await issueAll(cfg, log, { force: true }, AbortSignal.timeout(60_000))).toMatchObject([{ result: 'renewed' }]);
    expect(await txtValues('example.test', name)).toEqual(['not-certfleets']);

    // And by the sweep a daemon or `issue` runs at start, for every certificate at once.
    await p.appendRecords('example.test', [{ name: '_acme-challenge.left', type: 'TXT', data: 'killed-run-4', ttl: 60 }], AbortSignal.timeout(5000));
    await note(['killed-run-4']);
    const { renewer, store: composed } = composeRenewer(cfg, { log });
    await sweepStore(composed, renewer, log, AbortSignal.timeout(30_000));
    await renewer.close();
    expect(await txtValues('example.test', name)).toEqual(['not-certfleets']);
    expect((await store.readState('left', S())).state.pendingTxt).toBeUndefined();
    await p.deleteRecords('example.test', [{ name: '_acme-challenge.left', type: 'TXT', data: 'not-certfleets', ttl: 60 }], AbortSignal.timeout(5000));
  });

  it('cleanup keeps trying while the DNS API is down, for its whole budget, and then succeeds', async () => {
    const store = new FileStore({ root: path.join(dir, 'outage') });
    const inner = real();
    // The same provider pointed at a port nobody listens on: PowerDNS down, its real error.
    const dead = new PowerDnsProvider({ id: 'home', apiUrl: 'http://127.0.0.1:1', apiKey: pdns.apiKey, serverId: 'localhost' });
    let downUntil = Infinity;
    let deletes = 0;
    const flaky: DnsProvider = {
      id: 'home',
      async appendRecords(zone, recs, signal) {
        const done = await inner.appendRecords(zone, recs, signal);
        downUntil = Date.now() + 2500; // goes down right after the write
        return done;
      },
      deleteRecords: (zone, recs, signal) => { deletes++; return Date.now() < downUntil ? dead.deleteRecords(zone, recs, signal) : inner.deleteRecords(zone, recs, signal); },
    };
    const issuer = issuerWith(path.join(dir, 'outage'), flaky);
    await issuer.issue('down', ['down.example.test']);
    expect(await txtValues('example.test', '_acme-challenge.down.example.test')).toEqual([]);
    expect(deletes).toBeGreaterThan(1);
    expect((await store.readState('down', S())).state.pendingTxt).toBeUndefined();
    await issuer.close();
  });

  it('a write refused before it was sent is not "cleanup_failed", and leaves no note', async () => {
    const store = new FileStore({ root: path.join(dir, 'refused') });
    const dead = new PowerDnsProvider({ id: 'home', apiUrl: 'http://127.0.0.1:1', apiKey: pdns.apiKey, serverId: 'localhost' });
    const from = captured.lines.length;
    const issuer = issuerWith(path.join(dir, 'refused'), dead, { writeRetryMs: 1000 });
    await expect(issuer.issue('refused', ['refused.example.test'])).rejects.toThrow(/PowerDNS provider home: API unreachable at http:\/\/127\.0\.0\.1:1/);
    expect(captured.records().slice(from).filter((r) => r.msg === 'cleanup_failed')).toEqual([]);
    expect((await store.readState('refused', S())).state.pendingTxt).toBeUndefined();
    await issuer.close();
  });

  it('a DNS server that refuses connections gives a typed error naming the server and the name, after retrying', async () => {
    const issuer = issuerWith(path.join(dir, 'lookup'), real(), { writeRetryMs: 500, resolvers: ['127.0.0.1:1'] });
    const err = await issuer.issue('lookup', ['lookup.example.test']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertfleetError);
    expect((err as CertfleetError).code).toBe('DNS_LOOKUP');
    expect((err as Error).message).toBe('DNS lookup of CNAME _acme-challenge.lookup.example.test at 127.0.0.1:1 failed: connection refused (ECONNREFUSED)');
    await issuer.close();
  });

  it('an apex and its wildcard in two certificates of one process share their TXT name without waiting on each other forever', async () => {
    const certs = '  - name: apex\n    domains: [shared.example.test]\n    dns: home\n  - name: wild\n    domains: ["*.shared.example.test"]\n    dns: home\n  - name: alone\n    domains: [alone.example.test]\n    dns: home\n';
    const out = await issueAll(config(certs, { store: path.join(dir, 'shared') }), log, { concurrency: 3 }, AbortSignal.timeout(60_000));
    expect(out.map((o) => `${o.name} ${o.result}`).sort()).toEqual(['alone issued', 'apex issued', 'wild issued']);
    expect(await txtValues('example.test', '_acme-challenge.shared.example.test')).toEqual([]);
  });
});

describe('preferred chain', () => {
  it('picks the alternate chain whose root matches preferred_chain', async () => {
    const alt = await startPebble({ dnsServer: pdns.dnsAddress, env: { PEBBLE_ALTERNATE_ROOTS: '1' } });
    try {
      // Learn the alternate root's name from pebble's management API (root 1).
      const pool = new HttpPool({ ca: alt.caBundle });
      const rootPem = (await pool.request('GET', `${alt.managementUrl}/roots/1`, { signal: AbortSignal.timeout(5000) })).body;
      pool.close();
      const altRoot = /CN=(.*)/.exec(new X509Certificate(rootPem).subject)![1]!;
      const cert = '  - name: pc\n    domains: [pc.example.test]\n    dns: home\n';
      const out = await issueAll(config(cert, { server: alt, store: path.join(dir, 'pc'), extraAcme: `  preferred_chain: ${altRoot}\n` }), log, {}, AbortSignal.timeout(60_000));
      expect(out[0]).toMatchObject({ result: 'issued' });
      const chain = (await readFile(path.join(dir, 'pc/live/pc/chain.pem'), 'utf8')).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
      expect(new X509Certificate(chain.at(-1)!).issuer).toBe(`CN=${altRoot}`);
    } finally {
      await alt.stop();
    }
  });
});
