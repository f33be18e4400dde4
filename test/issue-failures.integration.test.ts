import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeProblem } from '../src/acme/problem.js';
import { DEFAULT_RETRY_POLICY } from '../src/acme/retry-policy.js';
import { parseConfig } from '../src/config/load-config.js';
import type { DnsProvider } from '../src/dns/dns-provider.js';
import { PowerDnsProvider } from '../src/dns/powerdns.js';
import { NodeDnsLookup } from '../src/dns/dns-lookup.js';
import { DEFAULT_PROPAGATION } from '../src/dns/propagation.js';
import { openAccount } from '../src/issue/account.js';
import { HttpPool } from '../src/http/http-pool.js';
import { captureLog } from '../src/testing/test-log.js';
import { issueAll } from '../src/issue/issue-run.js';
import { obtainCertificate } from '../src/issue/obtain-certificate.js';
import { FileStore } from '../src/store/file-store.js';
import { localConfigText, startLocalStack, type LocalStack } from '../src/testing/local-stack.js';
import { startPebble, type PebbleServer } from '../src/testing/pebble-server.js';
import type { PowerDnsServer } from '../src/testing/powerdns-server.js';

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
    const stored = await store.load('rev');
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

  it('a provider failing midway: TXT records removed, the previous certificate untouched', async () => {
    const store = new FileStore({ root: path.join(dir, 'midway') });
    const real = new PowerDnsProvider({ id: 'home', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey });
    const client = await openAccount(store, { directory: pebble.directoryUrl, caBundle: pebble.caBundle }, AbortSignal.timeout(10_000));
    const lookup = new NodeDnsLookup([pdns.dnsAddress]);
    const base = { name: 'mid', domains: ['mid.example.test', 'mid.other.test'], keyType: 'ecdsa-p256' as const, reuseKey: false };
    const propagation = { ...DEFAULT_PROPAGATION, nameservers: [pdns.dnsAddress], timeoutMs: 10_000 };
    const ctx = { client, store, lookup, log };
    await obtainCertificate({ ...base, dns: () => ({ provider: real, ttl: 60, propagation }) }, ctx, AbortSignal.timeout(30_000));
    const before = await store.load('mid');

    // Writes into example.test go through; other.test fails after PowerDNS accepted the write.
    const failing: DnsProvider = {
      id: 'home',
      async appendRecords(zone, recs, signal) {
        const done = await real.appendRecords(zone, recs, signal);
        if (zone === 'other.test') throw new Error('injected: connection reset after write');
        return done;
      },
      deleteRecords: (zone, recs, signal) => real.deleteRecords(zone, recs, signal),
    };
    await expect(obtainCertificate({ ...base, dns: () => ({ provider: failing, ttl: 60, propagation }) }, ctx, AbortSignal.timeout(30_000))).rejects.toThrow(/injected/);
    expect(await txtLeft('example.test')).toEqual([]);
    expect(await txtLeft('other.test')).toEqual([]);
    const after = await store.load('mid');
    expect(after?.pem).toEqual(before?.pem);
    expect(after?.meta.version).toBe(1);
    await client.close();
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
