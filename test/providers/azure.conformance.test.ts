import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AzureProvider } from '../../src/dns/azure/azure-provider.js';
import { createProvider } from '../../src/dns/create-provider.js';
import type { AzureOptions } from '../../src/dns/azure/azure-options.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeAzure, type FakeAzure } from '../support/fake-azure.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { expectRecordSetSurvives } from '../support/record-set-survival.js';
import { parseProviderEntry } from '../support/provider-config.js';
import { shapeContradictions } from '../support/recorded-shapes.js';
import { captureLog } from '../support/test-log.js';

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });
/** The fakes whose every request is checked against the recordings (client-secret flow only: the others were never recorded). */
const checked: FakeAzure[] = [];
const provider = (fake: FakeAzure, extra: Partial<AzureOptions> = {}) => new AzureProvider({
  id: 'az', apiUrl: fake.url, loginUrl: fake.url, subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, env: {},
  auth: { kind: 'client_secret', tenantId: fake.tenantId, clientId: fake.clientId, clientSecret: fake.clientSecret }, ...extra,
});
async function started(zones: string[]): Promise<FakeAzure> {
  const fake = await startFakeAzure(zones);
  checked.push(fake);
  return fake;
}

describeProviderConformance('azure (against a fake built from the recorded traffic)', async () => {
  const fake = await started(['example.test']);
  return { provider: provider(fake), zone: 'example.test', txt: (f) => Promise.resolve(fake.txt(f)), stop: () => Promise.resolve() };
});

describe('azure specifics', () => {
  afterAll(async () => {
    const seen = checked.flatMap((f) => f.api.seen);
    expect(seen.length).toBeGreaterThan(20);
    // Names, not words of the API: the recorded placeholders (SUBSCRIPTION_ID, TENANT_ID), resource
    // groups and record set names (recorded and ours), and the record type ({recordType} in the API's spec).
    const names = new Set(['dns-test', 'missing-rg', 'localhost', 'docs', 'www', 'old']);
    const isVariable = (s: string) => /^[A-Z_]+_ID$/.test(s) || names.has(s) || /^(A|AAAA|CNAME|MX|NS|PTR|SRV|TXT|CAA)$/.test(s);
    expect(shapeContradictions(loadCassettes('azure'), seen, { isVariable })).toEqual([]);
    await Promise.all(checked.map((f) => f.stop()));
  });

  it('a record set with several values survives adding and deleting one value, TTL kept', async () => {
    const fake = await started(['example.test']);
    fake.put('example.test', 'TXT', '_acme-challenge.set', { TTL: 3600, TXTRecords: [{ value: ['challengetoken1'] }, { value: ['challengetoken2'] }] });
    await expectRecordSetSurvives(provider(fake), 'example.test', (f) => fake.txt(f), signal);
  });

  it('a writer elsewhere between read and write: the etag makes the write fail and be redone, no value lost', async () => {
    const fake = await started(['example.test']);
    fake.put('example.test', 'TXT', '_acme-challenge.race', { TTL: 60, TXTRecords: [{ value: ['theirs'] }] });
    let raced = false;
    const p = provider(fake, {
      // Between our read of the set and our PUT, another writer adds a value.
      fetch: async (url, init) => {
        if (!raced && init?.method === 'PUT') {
          raced = true;
          fake.put('example.test', 'TXT', '_acme-challenge.race', { TTL: 60, TXTRecords: [{ value: ['theirs'] }, { value: ['late'] }] });
        }
        const res = await fetch(url, { ...init, ...(init?.body !== undefined ? { body: String(init.body) } : {}) });
        return { ok: res.ok, status: res.status, headers: res.headers, text: () => res.text(), json: () => res.json() };
      },
    });
    expect(await p.appendRecords('example.test', [txt('_acme-challenge.race', 'mine')], signal())).toEqual([txt('_acme-challenge.race', 'mine')]);
    expect(fake.txt('_acme-challenge.race.example.test').sort()).toEqual(['late', 'mine', 'theirs']);
  });

  it('a config entry (secret from a file) becomes a working provider through createProvider', async () => {
    const fake = await started(['example.test']);
    const entry = `type: azure\napi_url: ${fake.url}\nlogin_url: ${fake.url}\nsubscription_id: ${fake.subscriptionId}\nresource_group: ${fake.resourceGroup}\ntenant_id: ${fake.tenantId}\nclient_id: ${fake.clientId}\nclient_secret_file: /run/az`;
    const { config, problems } = parseProviderEntry('az', entry, { '/run/az': `${fake.clientSecret}\n` });
    expect(problems).toEqual([]);
    const p = await createProvider('az', config!.dns.providers.az!, { log: captureLog().log });
    expect(await p.appendRecords('example.test', [txt('_acme-challenge.cfg', 'v')], signal())).toEqual([txt('_acme-challenge.cfg', 'v')]);
    expect(fake.txt('_acme-challenge.cfg.example.test')).toEqual(['v']);
  });

  it('finds the zone for a name below it; an unknown zone or resource group is DNS_ZONE_NOT_FOUND', async () => {
    const fake = await started(['example.test', 'other.test']);
    const p = provider(fake);
    await p.appendRecords('sub.example.test', [txt('_acme-challenge', 'v')], signal());
    expect(fake.txt('_acme-challenge.sub.example.test')).toEqual(['v']);
    expect(await p.listZones(signal())).toEqual(['example.test', 'other.test']);
    await expect(p.appendRecords('nowhere.test', [txt('_acme-challenge', 'v')], signal()))
      .rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: expect.stringContaining('no zone in resource group dns-test holds nowhere.test') });
    await expect(provider(fake, { resourceGroup: 'missing-rg' }).listZones(signal()))
      .rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: expect.stringContaining('no resource group missing-rg') });
  });

  it('get/set: sets written whole, cleared sets deleted, apex as @', async () => {
    const fake = await started(['example.test']);
    fake.put('example.test', 'A', 'old', { TTL: 300, ARecords: [{ ipv4Address: '192.0.2.1' }] });
    const p = provider(fake);
    const set = [{ name: 'www', type: 'A', data: '192.0.2.7', ttl: 300 }, { name: 'www', type: 'A', data: '192.0.2.8', ttl: 300 }, { name: 'docs', type: 'CNAME', data: 'docs.example.com', ttl: 300 }, txt('@', 'heritage=external-dns')];
    expect(await p.setRecords('example.test', set, signal(), [{ name: 'old', type: 'A' }])).toEqual(set);
    const got = await p.getRecords('example.test', signal());
    expect(got).toEqual(expect.arrayContaining(set));
    expect(got.some((r) => r.name === 'old')).toBe(false);
  });

  it('the token is fetched once and reused until shortly before it expires, then refreshed', async () => {
    const fake = await started(['example.test']);
    const p = provider(fake);
    await p.appendRecords('example.test', [txt('_acme-challenge.tok', 'a')], signal());
    await p.appendRecords('example.test', [txt('_acme-challenge.tok', 'b')], signal());
    expect(fake.tokensIssued.client_secret).toBe(1);
    // A token with less than the five-minute margin left counts as expired.
    fake.tokenLifetime = 200;
    const short = provider(fake);
    await short.getRecords('example.test', signal());
    await short.getRecords('example.test', signal());
    expect(fake.tokensIssued.client_secret).toBe(4);
  });

  it('a refused secret: DNS_AUTH with Entra ID\'s reason, the secret in no message; 429 honours Retry-After', async () => {
    const fake = await started(['example.test']);
    const bad = provider(fake, { auth: { kind: 'client_secret', tenantId: fake.tenantId, clientId: fake.clientId, clientSecret: 'wrong-secret-value-12345' } });
    const err = await bad.listZones(signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/^Azure DNS provider az: POST \/.*\/oauth2\/token: credentials refused \(HTTP 401: AADSTS7000215: Invalid client secret provided/) });
    expect(err.message).not.toContain('wrong-secret-value-12345');
    const p = provider(fake);
    await p.listZones(signal());
    fake.api.inject({ times: 1, status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests', message: 'Rate limit exceeded' } } });
    await p.appendRecords('example.test', [txt('_acme-challenge.limited', 'v')], signal());
    expect(fake.txt('_acme-challenge.limited.example.test')).toEqual(['v']);
  });
});

describe('azure identities the recordings do not have (served as Microsoft documents them)', () => {
  it('managed identity on a VM (IMDS, Metadata: true) and on App Service (IDENTITY_ENDPOINT/IDENTITY_HEADER)', async () => {
    const fake = await startFakeAzure(['example.test']);
    try {
      await provider(fake, { auth: { kind: 'managed_identity' }, imdsUrl: fake.url }).listZones(signal());
      expect(fake.tokensIssued.imds).toBe(1);
      await provider(fake, { auth: { kind: 'managed_identity' }, env: { IDENTITY_ENDPOINT: `${fake.url}/msi/token`, IDENTITY_HEADER: fake.identityHeader } }).listZones(signal());
      expect(fake.tokensIssued.app_service).toBe(1);
    } finally {
      await fake.stop();
    }
  });

  it('workload identity: the federated token file as client assertion, read again at each exchange', async () => {
    const fake = await startFakeAzure(['example.test']);
    const dir = mkdtempSync(join(tmpdir(), 'certfleet-azure-'));
    try {
      const file = join(dir, 'azure-identity-token');
      writeFileSync(file, 'stale-token');
      fake.tokenLifetime = 200;
      const p = provider(fake, { auth: { kind: 'workload_identity' }, env: { AZURE_TENANT_ID: fake.tenantId, AZURE_CLIENT_ID: fake.clientId, AZURE_FEDERATED_TOKEN_FILE: file } });
      await expect(p.listZones(signal())).rejects.toMatchObject({ code: 'DNS_PROVIDER', message: expect.stringContaining('AADSTS700213') });
      writeFileSync(file, `${fake.federatedToken}\n`);
      expect(await p.listZones(signal())).toEqual(['example.test']);
      expect(fake.tokensIssued.workload_identity).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await fake.stop();
    }
  });
});
