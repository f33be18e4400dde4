import { X509Certificate } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { issueAll } from '../src/daemon/issue-run.js';
import { captureLog } from './support/test-log.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';

let stack: LocalStack;
let dir: string;
// Not redacted: the suite's secret scan checks that the code itself never logs the API key.
const captured = captureLog();
const log = captured.log;

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  dir = stack.dir;
});
afterAll(async () => {
  await stack?.stop();
  // The suite's secret scan (test/secret-scan.setup.ts) reads these lines; make sure there are some.
  expect(captured.lines.length).toBeGreaterThan(0);
});

function config(certs: string, store = path.join(dir, 'store')) {
  return parseConfig(localConfigText({ store, pebble: stack.pebble, pdns: stack.pdns, certs }), 'test.yaml');
}

async function txtRecordsLeft(zone: string): Promise<string[]> {
  const res = await fetch(`${stack.pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, { headers: { 'x-api-key': stack.pdns.apiKey } });
  const z = await res.json() as { rrsets: { name: string; type: string }[] };
  return z.rrsets.filter((r) => r.type === 'TXT').map((r) => r.name);
}

describe('issuance against pebble and PowerDNS', () => {
  it('obtains an apex + wildcard certificate in certbot layout and cleans up its TXT records', async () => {
    const outcomes = await issueAll(config('  - name: web\n    domains: [example.test, "*.example.test"]\n    dns: home\n'), log, {}, AbortSignal.timeout(60_000));
    expect(outcomes).toMatchObject([{ name: 'web', result: 'issued' }]);
    const live = path.join(dir, 'store/live/web');
    const cert = new X509Certificate(await readFile(path.join(live, 'cert.pem')));
    expect(cert.subjectAltName).toBe('DNS:example.test, DNS:*.example.test');
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(await readFile(path.join(live, 'privkey.pem'))))).toBe(true);
    const full = await readFile(path.join(live, 'fullchain.pem'), 'utf8');
    expect(full.startsWith(await readFile(path.join(live, 'cert.pem'), 'utf8'))).toBe(true);
    expect(full).toContain(await readFile(path.join(live, 'chain.pem'), 'utf8'));
    expect((await stat(path.join(dir, 'store/archive/web/privkey1.pem'))).mode & 0o777).toBe(0o600);
    expect(await txtRecordsLeft('example.test')).toEqual([]);
    // While it waited, it said what for: the nameservers still missing the values, then the CA's pending authorizations.
    const mine = captured.records().filter((r) => r.cert === 'web');
    expect(mine.find((r) => r.msg === 'dns_propagation_waiting')).toMatchObject({ zone: 'example.test', names: ['_acme-challenge.example.test'], servers: [expect.stringMatching(/:\d+$/)], elapsed_s: 0 });
    expect(mine.find((r) => r.msg === 'acme_validation_pending')).toMatchObject({ pending: expect.arrayContaining(['example.test', '*.example.test']), of: 2, elapsed_s: 0 });
  });

  it('skips a certificate that is not due, and renews it with --force into version 2', async () => {
    const cfg = config('  - name: web\n    domains: [example.test, "*.example.test"]\n    dns: home\n');
    expect(await issueAll(cfg, log, {}, AbortSignal.timeout(60_000))).toMatchObject([{ name: 'web', result: 'skipped' }]);
    expect(await issueAll(cfg, log, { force: true }, AbortSignal.timeout(60_000))).toMatchObject([{ name: 'web', result: 'renewed' }]);
    expect(await readdir(path.join(dir, 'store/archive/web'))).toContain('cert2.pem');
  });

  it('keeps the private key across renewals with reuse_key, and makes a new one without', async () => {
    const key = () => readFile(path.join(dir, 'store/live/rk/privkey.pem'), 'utf8');
    const reuse = config('  - name: rk\n    domains: [rk.example.test]\n    dns: home\n    reuse_key: true\n');
    await issueAll(reuse, log, {}, AbortSignal.timeout(60_000));
    const first = await key();
    expect(await issueAll(reuse, log, { force: true }, AbortSignal.timeout(60_000))).toMatchObject([{ result: 'renewed' }]);
    expect(await key()).toBe(first);
    await issueAll(config('  - name: rk\n    domains: [rk.example.test]\n    dns: home\n'), log, { force: true }, AbortSignal.timeout(60_000));
    expect(await key()).not.toBe(first);
  });
});
