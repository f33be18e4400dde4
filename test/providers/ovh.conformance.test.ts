import { describe, expect, it } from 'vitest';
import { OvhProvider } from '../../src/dns/ovh/ovh-provider.js';
import { createProvider } from '../../src/dns/create-provider.js';
import { createLogger } from '../../src/log.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeOvh, type FakeOvh } from '../support/fake-ovh.js';
import { parseProvider } from '../support/provider-config.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { shapeContradictions, type SeenRequest } from '../support/recorded-shapes.js';
import { failure } from '../support/scripted-fetch.js';

const ZONE = 'example.test';
const seen: SeenRequest[] = [];
const provider = (o: FakeOvh, extra: { applicationSecret?: string } = {}) => new OvhProvider({ id: 'ovh', apiUrl: o.apiUrl, applicationKey: o.applicationKey, applicationSecret: extra.applicationSecret ?? o.applicationSecret, consumerKey: o.consumerKey });
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });

// The fake's clock is an hour ahead: only a client that uses /auth/time signs acceptable timestamps.
async function fake(): Promise<FakeOvh> {
  const o = await startFakeOvh([ZONE, 'other.test'], { skewSeconds: 3600 });
  const stop = o.stop;
  return { ...o, stop: async () => { seen.push(...o.server.seen); await stop(); } };
}

describeProviderConformance('ovh (against a fake built from the recorded API; names served as of the last refresh)', async () => {
  const o = await fake();
  return { provider: provider(o), zone: ZONE, txt: (f) => Promise.resolve(o.txt(f)), stop: o.stop };
});

describe('ovh specifics', () => {
  it('a config entry, through create-provider, works against the fake', async () => {
    const o = await fake();
    try {
      const cfg = parseProvider('ovh', `type: ovh\napi_url: ${o.apiUrl}\napplication_key: ${o.applicationKey}\napplication_secret: ${o.applicationSecret}\nconsumer_key: ${o.consumerKey}`);
      const p = await createProvider('ovh', cfg, { log: createLogger({ format: 'json', out: { write: () => true } }) });
      await p.appendRecords(ZONE, [txt('_acme-challenge.cfg', 'v')], signal());
      expect(o.txt(`_acme-challenge.cfg.${ZONE}`)).toEqual(['v']);
    } finally {
      await o.stop();
    }
  });

  it('a record set with several values keeps the others through an add and a delete of one value; each change refreshes the zone', async () => {
    const o = await fake();
    try {
      o.put(ZONE, { subDomain: '_acme-challenge.set', fieldType: 'TXT', target: '"keep-1"', ttl: 300 });
      o.put(ZONE, { subDomain: '_acme-challenge.set', fieldType: 'TXT', target: 'keep-2', ttl: 300 });
      const p = provider(o);
      expect(await p.appendRecords(ZONE, [txt('_acme-challenge.set', 'mine')], signal())).toEqual([txt('_acme-challenge.set', 'mine')]);
      expect(o.txt(`_acme-challenge.set.${ZONE}`)).toEqual(['keep-1', 'keep-2', 'mine']);
      expect(o.refreshes()).toBe(1);
      expect(await p.deleteRecords(ZONE, [txt('_acme-challenge.set', 'mine')], signal())).toEqual([txt('_acme-challenge.set', 'mine')]);
      expect(o.txt(`_acme-challenge.set.${ZONE}`)).toEqual(['keep-1', 'keep-2']);
      expect(o.refreshes()).toBe(2);
      // Nothing changed, nothing to publish.
      expect(await p.deleteRecords(ZONE, [txt('_acme-challenge.set', 'mine')], signal())).toEqual([]);
      expect(o.refreshes()).toBe(2);
    } finally {
      await o.stop();
    }
  });

  it('finds the zone for a name below it; a zone not in the account is DNS_ZONE_NOT_FOUND', async () => {
    const o = await fake();
    try {
      await provider(o).appendRecords(`sub.${ZONE}`, [txt('_acme-challenge', 'below')], signal());
      expect(o.records(ZONE).map((r) => r.subDomain)).toEqual(['_acme-challenge.sub']);
      await expect(provider(o).appendRecords('unmanaged.test', [txt('_acme-challenge', 'x')], signal()))
        .rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: 'OVH provider ovh: no zone for unmanaged.test in this OVH account (or the consumer key may not list it)' });
    } finally {
      await o.stop();
    }
  });

  it('a wrong application secret (a wrong signature) is DNS_AUTH naming the rights, no secret in the message', async () => {
    const o = await fake();
    try {
      const err = await failure(provider(o, { applicationSecret: 'as-wrong-secret-value' }).appendRecords(ZONE, [txt('_acme-challenge', 'x')], signal()));
      expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('HTTP 400: Invalid signature (INVALID_SIGNATURE)') });
      expect(err.message).toContain('GET, POST, DELETE on /domain/zone/*');
      expect(err.message).not.toContain('as-wrong-secret-value');
      expect(err.message).not.toContain(o.consumerKey);
    } finally {
      await o.stop();
    }
  });

  it('429 with Retry-After is waited out', async () => {
    const o = await fake();
    try {
      const p = provider(o);
      await p.listZones(signal());
      o.server.inject({ times: 1, status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too many requests' } });
      expect((await p.listZones(signal())).sort()).toEqual(['example.test', 'other.test']);
    } finally {
      await o.stop();
    }
  });

  it('get, set and list zones (ExternalDNS)', async () => {
    const o = await fake();
    try {
      const p = provider(o);
      const www = { name: 'www', type: 'CNAME', data: 'target.example.net', ttl: 300 };
      const a = [{ name: '@', type: 'A', data: '192.0.2.1', ttl: 300 }, { name: '@', type: 'A', data: '192.0.2.2', ttl: 300 }];
      expect(await p.setRecords(ZONE, [www, ...a, txt('owner', 'heritage=external-dns')], signal())).toHaveLength(4);
      expect(o.records(ZONE).find((r) => r.fieldType === 'CNAME')?.target).toBe('target.example.net.');
      expect((await p.getRecords(ZONE, signal())).sort((x, y) => x.data.localeCompare(y.data))).toEqual([...a, txt('owner', 'heritage=external-dns'), www]);
      await p.setRecords(ZONE, [{ ...a[0]!, ttl: 600 }], signal(), [{ name: 'owner', type: 'TXT' }]);
      const after = await p.getRecords(ZONE, signal());
      expect(after.filter((r) => r.type === 'A')).toEqual([{ ...a[0]!, ttl: 600 }]);
      expect(after.filter((r) => r.name === 'owner')).toEqual([]);
      expect(o.txt(`owner.${ZONE}`)).toEqual([]);
    } finally {
      await o.stop();
    }
  });
});

describe('ovh requests against the recordings', () => {
  it('every request the provider made has a method, path, query and body the recorded traffic shows', () => {
    // The suites above ran first (same file, in order) and left their requests in `seen`.
    expect(seen.length).toBeGreaterThan(100);
    expect(shapeContradictions(loadCassettes('ovh'), seen)).toEqual([]);
  });
});
