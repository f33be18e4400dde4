import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GodaddyProvider } from '../../src/dns/godaddy/godaddy-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeGodaddy, type FakeGodaddy } from '../support/fake-godaddy.js';
import { describeProviderCapabilities } from '../support/provider-capabilities.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { shapeContradictions } from '../support/recorded-shapes.js';

const recorded = loadCassettes('godaddy');
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string, ttl = 600) => ({ name, type: 'TXT', data, ttl });
/** Names without a dot (`_acme-challenge`, the tests' `www`) and record types in a path are names, not words of the API. */
const shapes = (fake: FakeGodaddy) => shapeContradictions(recorded, fake.api.seen, { isVariable: (s) => s.startsWith('_acme-challenge') || ['www', 'mail'].includes(s) || /^[A-Z]+$/.test(s) });
const provider = (fake: FakeGodaddy) => new GodaddyProvider({ id: 'gd', apiKey: fake.key, apiSecret: fake.secret, apiUrl: fake.url });
/** Documented in GoDaddy's API, absent from the recordings: the DELETE of a name's last value (lexicon PUTs all TXT records of the domain instead, which could drop another writer's values). */
const DELETE_SHAPE = 'DELETE v1/domains/*/records/*/*: no recorded request has this method and path';
/** Also documented, not recorded (lexicon's tests write no MX): an MX record's priority. */
const MX_PRIORITY = 'PUT v1/domains/*/records/*/*: body field [].priority was never recorded (recorded: [].type, [].name, [].data, [].ttl)';

let conformanceFake: FakeGodaddy;
describeProviderConformance('godaddy (against a fake built from the recorded API)', async () => {
  conformanceFake = await startFakeGodaddy(['example.test']);
  return { provider: provider(conformanceFake), zone: 'example.test', txt: (f) => Promise.resolve(conformanceFake.txt(f)), stop: () => Promise.resolve() };
});

let capabilityFake: FakeGodaddy;
describeProviderCapabilities('godaddy', async () => {
  capabilityFake = await startFakeGodaddy(['example.test']);
  return { provider: provider(capabilityFake), zone: 'example.test', ttl: 600, txt: (f) => capabilityFake.txt(f), stop: () => Promise.resolve() };
});

describe('godaddy against its fake', () => {
  let fake: FakeGodaddy;
  let p: GodaddyProvider;
  beforeAll(async () => {
    fake = await startFakeGodaddy(['example.test']);
    p = provider(fake);
  });
  afterAll(async () => {
    await fake.stop();
    await conformanceFake.stop();
    await capabilityFake.stop();
  });

  it('every request has a shape the recordings show, but two documented ones', () => {
    expect(conformanceFake.api.seen.length).toBeGreaterThan(20);
    expect(shapes(conformanceFake)).toEqual([DELETE_SHAPE]);
    expect(shapes(capabilityFake).sort()).toEqual([DELETE_SHAPE, MX_PRIORITY]);
  });

  it('raises a TTL below 600 to 600 (GoDaddy refuses less)', async () => {
    await p.appendRecords('example.test', [txt('_acme-challenge.low', 'low', 60)], signal());
    expect(await p.getRecords('example.test', signal())).toContainEqual({ name: '_acme-challenge.low', type: 'TXT', data: 'low', ttl: 600 });
  });

  it('deleting one value PUTs the others back; the last one goes with DELETE, other names untouched', async () => {
    await p.appendRecords('example.test', [txt('_acme-challenge.d', 'a'), txt('_acme-challenge.d', 'b'), txt('_acme-challenge.other', 'o')], signal());
    fake.api.seen.length = 0;
    await p.deleteRecords('example.test', [txt('_acme-challenge.d', 'a')], signal());
    await p.deleteRecords('example.test', [txt('_acme-challenge.d', 'b')], signal());
    expect(fake.api.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /v1/domains/example.test/records/TXT/_acme-challenge.d', 'PUT /v1/domains/example.test/records/TXT/_acme-challenge.d',
      'GET /v1/domains/example.test/records/TXT/_acme-challenge.d', 'DELETE /v1/domains/example.test/records/TXT/_acme-challenge.d',
    ]);
    expect(fake.txt('_acme-challenge.other.example.test')).toEqual(['o']);
  });

  it('an unknown zone is DNS_ZONE_NOT_FOUND; refused keys are DNS_AUTH without the key or secret', async () => {
    await expect(p.appendRecords('other.test', [txt('x', 'y')], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
    const bad = new GodaddyProvider({ id: 'gd', apiKey: 'wrong-key-0123', apiSecret: 'wrong-secret-4567', apiUrl: fake.url });
    const err = await bad.appendRecords('example.test', [txt('x', 'y')], signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('HTTP 401: UNABLE_TO_AUTHENTICATE: Unable to authenticate the request); it needs a production API key') });
    expect(err?.message).not.toMatch(/wrong-key-0123|wrong-secret-4567/);
  });

  it('waits out a 429 (GoDaddy allows 60 requests a minute) and a 5xx on a read', async () => {
    fake.api.inject({ times: 1, status: 429, body: { code: 'TOO_MANY_REQUESTS', message: 'Too many requests received within interval', retryAfterSec: 1 }, headers: { 'retry-after': '1' } });
    fake.api.inject({ times: 1, status: 503, body: '' });
    expect(await p.appendRecords('example.test', [txt('_acme-challenge.slow', 'v')], signal())).toEqual([txt('_acme-challenge.slow', 'v')]);
    expect(fake.txt('_acme-challenge.slow.example.test')).toEqual(['v']);
  });
});
