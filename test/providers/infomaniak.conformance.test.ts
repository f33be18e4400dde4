import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfomaniakProvider } from '../../src/dns/infomaniak/infomaniak-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeInfomaniak, type FakeInfomaniak } from '../support/fake-infomaniak.js';
import { describeProviderCapabilities } from '../support/provider-capabilities.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { shapeContradictions } from '../support/recorded-shapes.js';

const recorded = loadCassettes('infomaniak');
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 300 });
const shapes = (fake: FakeInfomaniak) => shapeContradictions(recorded, fake.api.seen);
const provider = (fake: FakeInfomaniak) => new InfomaniakProvider({ id: 'ik', token: fake.token, apiUrl: fake.url });
/** Documented, not recorded (lexicon's tests write no MX): an MX record's priority. */
const MX_PRIORITY = 'POST */domain/*/dns/record: body field priority was never recorded (recorded: type, source, target, ttl)';

let conformanceFake: FakeInfomaniak;
describeProviderConformance('infomaniak (against a fake built from the recorded API)', async () => {
  conformanceFake = await startFakeInfomaniak(['example.test']);
  return { provider: provider(conformanceFake), zone: 'example.test', txt: (f) => Promise.resolve(conformanceFake.txt(f)), stop: () => Promise.resolve() };
});

let capabilityFake: FakeInfomaniak;
describeProviderCapabilities('infomaniak', async () => {
  capabilityFake = await startFakeInfomaniak(['example.test']);
  return { provider: provider(capabilityFake), zone: 'example.test', ttl: 300, txt: (f) => capabilityFake.txt(f), stop: () => Promise.resolve() };
});

describe('infomaniak against its fake', () => {
  let fake: FakeInfomaniak;
  let p: InfomaniakProvider;
  beforeAll(async () => {
    fake = await startFakeInfomaniak(['example.test']);
    p = provider(fake);
  });
  afterAll(async () => {
    await fake.stop();
    await conformanceFake.stop();
    await capabilityFake.stop();
  });

  it('every request has a shape the recordings show (an MX priority aside)', () => {
    expect(conformanceFake.api.seen.length).toBeGreaterThan(20);
    expect(shapes(conformanceFake)).toEqual([]);
    expect(shapes(capabilityFake)).toEqual([MX_PRIORITY]);
  });

  it('looks the domain product up once, by name', async () => {
    await p.appendRecords('example.test', [txt('_acme-challenge.once', 'a')], signal());
    await p.deleteRecords('example.test', [txt('_acme-challenge.once', 'a')], signal());
    expect(fake.api.seen.filter((s) => s.url.startsWith('/1/product')).map((s) => s.url)).toEqual(['/1/product?service_name=domain&customer_name=example.test']);
  });

  it('an unknown domain is DNS_ZONE_NOT_FOUND; a refused token is DNS_AUTH without the token', async () => {
    await expect(p.appendRecords('other.test', [txt('x', 'y')], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
    const bad = new InfomaniakProvider({ id: 'ik', token: 'wrong-token-0123', apiUrl: fake.url });
    const err = await bad.appendRecords('example.test', [txt('x', 'y')], signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('HTTP 401: Authorization required); it needs an API token with the "domain" scope') });
    expect(err?.message).not.toContain('wrong-token-0123');
  });

  it('waits out a 429 with Retry-After and a 5xx on a read', async () => {
    fake.api.inject({ times: 1, status: 429, headers: { 'retry-after': '1' }, body: { result: 'error', error: { code: 'too_many_request', description: 'Too many requests' } } });
    fake.api.inject({ times: 1, status: 502, body: '' });
    expect(await p.appendRecords('example.test', [txt('_acme-challenge.slow', 'v')], signal())).toEqual([txt('_acme-challenge.slow', 'v')]);
  });
});
