import { describe, expect, it } from 'vitest';
import { OvhProvider } from '../../src/dns/ovh/ovh-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeOvh, type FakeOvh } from '../support/fake-ovh.js';
import { describeConformanceAndExtras } from '../support/provider-extras.js';
import { shapeContradictions, type SeenRequest } from '../support/recorded-shapes.js';
import { keepingSeen } from '../support/seen-requests.js';
import { failure } from '../support/scripted-fetch.js';

const ZONE = 'example.test';
const seen: SeenRequest[] = [];
const provider = (o: FakeOvh, extra: { applicationSecret?: string } = {}) => new OvhProvider({ id: 'ovh', apiUrl: o.apiUrl, applicationKey: o.applicationKey, applicationSecret: extra.applicationSecret ?? o.applicationSecret, consumerKey: o.consumerKey });
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });

// The fake's clock is an hour ahead: only a client that uses /auth/time signs acceptable timestamps.
async function fake(): Promise<FakeOvh> {
  return keepingSeen(seen, await startFakeOvh([ZONE, 'other.test'], { skewSeconds: 3600 }));
}

describeConformanceAndExtras({
  label: 'ovh', against: 'against a fake built from the recorded API; names served as of the last refresh', zone: ZONE, fake, provider: (o) => provider(o),
  extras: (o) => ({
    seed: (fqdn, texts) => { for (const t of texts) o.put(ZONE, { subDomain: fqdn.slice(0, -(ZONE.length + 1)), fieldType: 'TXT', target: `"${t}"`, ttl: 300 }); },
    configEntry: `type: ovh\napi_url: ${o.apiUrl}\napplication_key: ${o.applicationKey}\napplication_secret: ${o.applicationSecret}\nconsumer_key: ${o.consumerKey}`,
    unknownZone: { zone: 'unmanaged.test', message: 'OVH provider ovh: no zone for unmanaged.test in this OVH account (or the consumer key may not list it)' },
  }),
});

describe('ovh specifics', () => {
  it('each call that changed something refreshes the zone once; one that changed nothing does not', async () => {
    const o = await fake();
    try {
      const p = provider(o);
      await p.appendRecords(ZONE, [txt('_acme-challenge.pub', 'a'), txt('_acme-challenge.pub', 'b')], signal());
      expect(o.refreshes()).toBe(1);
      // Created but not yet published would be invisible to the name servers: the refresh published it.
      expect(o.txt(`_acme-challenge.pub.${ZONE}`)).toEqual(['a', 'b']);
      expect(await p.appendRecords(ZONE, [txt('_acme-challenge.pub', 'a')], signal())).toEqual([]);
      expect(await p.deleteRecords(ZONE, [txt('_acme-challenge.never', 'x')], signal())).toEqual([]);
      expect(o.refreshes()).toBe(1);
      await p.deleteRecords(ZONE, [txt('_acme-challenge.pub', 'a')], signal());
      expect(o.refreshes()).toBe(2);
      expect(o.txt(`_acme-challenge.pub.${ZONE}`)).toEqual(['b']);
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
