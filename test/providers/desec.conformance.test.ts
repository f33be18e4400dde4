import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesecProvider } from '../../src/dns/desec/desec-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeDesec, type FakeDesec } from '../support/fake-desec.js';
import { describeProviderCapabilities } from '../support/provider-capabilities.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { shapeContradictions } from '../support/recorded-shapes.js';

const recorded = loadCassettes('desec');
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string, ttl = 3600) => ({ name, type: 'TXT', data, ttl });
/** Subnames without a dot (`_acme-challenge`, the tests' `www`) and record types in a path are names, not words of the API. */
const shapes = (fake: FakeDesec) => shapeContradictions(recorded, fake.api.seen, { isVariable: (s) => s.startsWith('_acme-challenge') || ['www', 'mail'].includes(s) || /^[A-Z]+$/.test(s) });

let conformanceFake: FakeDesec;
describeProviderConformance('desec (against a fake built from the recorded API)', async () => {
  // deSEC lowers a domain's minimum_ttl on request; the suite writes TTL 60.
  conformanceFake = await startFakeDesec(['example.test'], { minimumTtl: 60 });
  return { provider: new DesecProvider({ id: 'desec', token: conformanceFake.token, apiUrl: conformanceFake.url }), zone: 'example.test', txt: (f) => Promise.resolve(conformanceFake.txt(f)), stop: () => Promise.resolve() };
});

let capabilityFake: FakeDesec;
describeProviderCapabilities('desec', async () => {
  capabilityFake = await startFakeDesec(['example.test']);
  return { provider: new DesecProvider({ id: 'desec', token: capabilityFake.token, apiUrl: capabilityFake.url }), zone: 'example.test', ttl: 3600, txt: (f) => capabilityFake.txt(f), stop: () => Promise.resolve() };
});

describe('desec against its fake', () => {
  let fake: FakeDesec;
  let p: DesecProvider;
  beforeAll(async () => {
    fake = await startFakeDesec(['example.test']);
    p = new DesecProvider({ id: 'desec', token: fake.token, apiUrl: fake.url });
  });
  afterAll(async () => {
    await fake.stop();
    await conformanceFake.stop();
    await capabilityFake.stop();
  });

  it('every request of the conformance and capability checks has a shape the recordings show (the domain list aside)', () => {
    expect(conformanceFake.api.seen.length).toBeGreaterThan(20);
    expect(shapes(conformanceFake)).toEqual([]);
    // GET /domains/ (list zones) is from deSEC's documentation: the recordings never list domains.
    expect(shapes(capabilityFake)).toEqual(['GET api/v1/domains: no recorded request has this method and path']);
  });

  it('raises a TTL below the domain minimum to it', async () => {
    await p.appendRecords('example.test', [txt('_acme-challenge.low', 'low', 60)], signal());
    expect(await p.getRecords('example.test', signal())).toContainEqual({ name: '_acme-challenge.low', type: 'TXT', data: 'low', ttl: 3600 });
  });

  it('an unknown zone is DNS_ZONE_NOT_FOUND; a refused token is DNS_AUTH without the token', async () => {
    await expect(p.appendRecords('other.test', [txt('x', 'y')], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: 'deSEC provider desec: no zone for other.test in this account (or the credentials cannot see it)' });
    const bad = new DesecProvider({ id: 'desec', token: 'wrong-token-0123', apiUrl: fake.url });
    const err = await bad.appendRecords('example.test', [txt('x', 'y')], signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('HTTP 401: Invalid token.') });
    expect(err?.message).not.toContain('wrong-token-0123');
  });

  it('waits out a 429 with Retry-After (deSEC throttles writes)', async () => {
    fake.api.inject({ times: 1, status: 429, headers: { 'retry-after': '1' }, body: { detail: 'Request was throttled. Expected available in 1 second.' } });
    expect(await p.appendRecords('example.test', [txt('_acme-challenge.slow', 'v')], signal())).toEqual([txt('_acme-challenge.slow', 'v')]);
    expect(fake.txt('_acme-challenge.slow.example.test')).toEqual(['v']);
  });

  it('follows the cursor pages of a long RRset list', async () => {
    const paged = await startFakeDesec(['example.test'], { pageSize: 2 });
    try {
      const pp = new DesecProvider({ id: 'desec', token: paged.token, apiUrl: paged.url });
      await pp.appendRecords('example.test', ['a', 'b', 'c', 'd', 'e'].map((n) => txt(`_acme-challenge.${n}`, n)), signal());
      expect((await pp.getRecords('example.test', signal())).map((r) => r.data).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    } finally {
      await paged.stop();
    }
  });
});
