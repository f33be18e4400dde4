import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsimpleProvider } from '../../src/dns/dnsimple/dnsimple-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeDnsimple, type FakeDnsimple } from '../support/fake-dnsimple.js';
import { describeProviderCapabilities } from '../support/provider-capabilities.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { shapeContradictions } from '../support/recorded-shapes.js';

const recorded = loadCassettes('dnsimple');
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });
const shapes = (fake: FakeDnsimple) => shapeContradictions(recorded, fake.api.seen);
const provider = (fake: FakeDnsimple) => new DnsimpleProvider({ id: 'ds', token: fake.token, apiUrl: fake.url });

let conformanceFake: FakeDnsimple;
describeProviderConformance('dnsimple (against a fake built from the recorded API)', async () => {
  conformanceFake = await startFakeDnsimple(['example.test']);
  return { provider: provider(conformanceFake), zone: 'example.test', txt: (f) => Promise.resolve(conformanceFake.txt(f)), stop: () => Promise.resolve() };
});

let capabilityFake: FakeDnsimple;
describeProviderCapabilities('dnsimple', async () => {
  capabilityFake = await startFakeDnsimple(['example.test']);
  return { provider: provider(capabilityFake), zone: 'example.test', ttl: 60, txt: (f) => capabilityFake.txt(f), stop: () => Promise.resolve() };
});

describe('dnsimple against its fake', () => {
  let fake: FakeDnsimple;
  let p: DnsimpleProvider;
  beforeAll(async () => {
    fake = await startFakeDnsimple(['example.test', 'example.org']);
    p = provider(fake);
  });
  afterAll(async () => {
    await fake.stop();
    await conformanceFake.stop();
    await capabilityFake.stop();
  });

  it('every request of the conformance and capability checks has a shape the recordings show', () => {
    expect(conformanceFake.api.seen.length).toBeGreaterThan(20);
    expect(shapes(conformanceFake)).toEqual([]);
    expect(shapes(capabilityFake)).toEqual([]);
  });

  it('asks for the account once, and uses a configured account id without asking', async () => {
    await p.appendRecords('example.test', [txt('_acme-challenge.acct', 'a')], signal());
    await p.appendRecords('example.test', [txt('_acme-challenge.acct', 'b')], signal());
    expect(fake.api.seen.filter((s) => s.url === '/v2/accounts')).toHaveLength(1);
    const configured = new DnsimpleProvider({ id: 'ds', token: fake.token, apiUrl: fake.url, accountId: String(fake.accountId) });
    const before = fake.api.seen.length;
    await configured.appendRecords('example.test', [txt('_acme-challenge.acct', 'c')], signal());
    expect(fake.api.seen.slice(before).some((s) => s.url === '/v2/accounts')).toBe(false);
  });

  it('follows the pages of records and domains', async () => {
    const paged = await startFakeDnsimple(['a.test', 'b.test', 'example.test'], { perPage: 2 });
    try {
      const pp = provider(paged);
      await pp.appendRecords('example.test', ['1', '2', '3', '4', '5'].map((v) => txt(`_acme-challenge.p${v}`, v)), signal());
      expect((await pp.getRecords('example.test', signal())).filter((r) => r.type === 'TXT').map((r) => r.data).sort()).toEqual(['1', '2', '3', '4', '5']);
      expect((await pp.listZones(signal())).sort()).toEqual(['a.test', 'b.test', 'example.test']);
      // `page` is DNSimple's documented parameter; lexicon's recorded lists never needed a second page.
      expect(shapes(paged)).toEqual([
        'GET v2/*/zones/*/records: query key page was never recorded (recorded: type, name)',
        'GET v2/*/domains: query key page was never recorded (recorded: name_like)',
      ]);
    } finally {
      await paged.stop();
    }
  });

  it('an unknown zone is DNS_ZONE_NOT_FOUND; a refused token is DNS_AUTH without the token', async () => {
    await expect(p.appendRecords('other.test', [txt('x', 'y')], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
    const bad = new DnsimpleProvider({ id: 'ds', token: 'wrong-token-0123', apiUrl: fake.url });
    const err = await bad.appendRecords('example.test', [txt('x', 'y')], signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('HTTP 401: Authentication failed); it needs an account or user API token') });
    expect(err?.message).not.toContain('wrong-token-0123');
  });

  it('waits out a 429 with Retry-After', async () => {
    fake.api.inject({ times: 1, status: 429, headers: { 'retry-after': '1' }, body: { message: 'Your API rate limit has been exceeded' } });
    expect(await p.appendRecords('example.test', [txt('_acme-challenge.slow', 'v')], signal())).toEqual([txt('_acme-challenge.slow', 'v')]);
  });
});
