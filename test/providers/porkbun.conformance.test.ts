import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PorkbunProvider } from '../../src/dns/porkbun/porkbun-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakePorkbun, type FakePorkbun } from '../support/fake-porkbun.js';
import { describeProviderCapabilities } from '../support/provider-capabilities.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { shapeContradictions } from '../support/recorded-shapes.js';

const recorded = loadCassettes('porkbun');
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string, ttl = 600) => ({ name, type: 'TXT', data, ttl });
/**
 * The recordings scrubbed the two keys from every body (`{}` with a Content-Length of 170), so
 * they are the only fields not compared.
 */
const shapes = (fake: FakePorkbun) => shapeContradictions(recorded, fake.api.seen, { ignoreBodyKeys: (k) => k === 'apikey' || k === 'secretapikey' });
const provider = (fake: FakePorkbun) => new PorkbunProvider({ id: 'pb', apiKey: fake.apiKey, secretApiKey: fake.secretApiKey, apiUrl: fake.url });
/** Documented, not recorded (lexicon's tests write no MX): an MX record's priority. */
const MX_PRIORITY = 'POST api/json/v3/dns/create/*: body field prio was never recorded (recorded: type, content, name, ttl)';

let conformanceFake: FakePorkbun;
describeProviderConformance('porkbun (against a fake built from the recorded API)', async () => {
  conformanceFake = await startFakePorkbun(['example.test']);
  return { provider: provider(conformanceFake), zone: 'example.test', txt: (f) => Promise.resolve(conformanceFake.txt(f)), stop: () => Promise.resolve() };
});

let capabilityFake: FakePorkbun;
describeProviderCapabilities('porkbun', async () => {
  capabilityFake = await startFakePorkbun(['example.test']);
  return { provider: provider(capabilityFake), zone: 'example.test', ttl: 600, txt: (f) => capabilityFake.txt(f), stop: () => Promise.resolve() };
});

describe('porkbun against its fake', () => {
  let fake: FakePorkbun;
  let p: PorkbunProvider;
  beforeAll(async () => {
    fake = await startFakePorkbun(['example.test']);
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

  it('sends both keys in the body and no credential header', async () => {
    await p.appendRecords('example.test', [txt('_acme-challenge.keys', 'k')], signal());
    const create = fake.api.seen.find((s) => s.url.includes('/dns/create/'))!;
    expect(JSON.parse(create.body)).toEqual({ apikey: fake.apiKey, secretapikey: fake.secretApiKey, type: 'TXT', content: 'k', name: '_acme-challenge.keys', ttl: 600 });
  });

  it('an unknown domain is DNS_ZONE_NOT_FOUND; a bad key (HTTP 400) is DNS_AUTH without the keys', async () => {
    await expect(p.appendRecords('other.test', [txt('x', 'y')], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
    const bad = new PorkbunProvider({ id: 'pb', apiKey: 'pk1_wrong0123', secretApiKey: 'sk1_wrong4567', apiUrl: fake.url });
    const err = await bad.appendRecords('example.test', [txt('x', 'y')], signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('HTTP 400: Invalid API key. (002)); check the API key and secret key, and turn on "API ACCESS"') });
    expect(err?.message).not.toMatch(/pk1_wrong0123|sk1_wrong4567/);
  });

  it('repeats a read after Porkbun\'s rate-limit 503', async () => {
    fake.api.inject({ times: 1, status: 503, body: '<html><head><title>503 Service Temporarily Unavailable</title></head></html>' });
    expect(await p.appendRecords('example.test', [txt('_acme-challenge.slow', 'v')], signal())).toEqual([txt('_acme-challenge.slow', 'v')]);
    expect(fake.txt('_acme-challenge.slow.example.test')).toEqual(['v']);
  });
});
