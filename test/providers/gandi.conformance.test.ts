import { describe, expect, it } from 'vitest';
import { GandiProvider } from '../../src/dns/gandi/gandi-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeGandi, type FakeGandi } from '../support/fake-gandi.js';
import { describeConformanceAndExtras } from '../support/provider-extras.js';
import { shapeContradictions, type SeenRequest } from '../support/recorded-shapes.js';
import { keepingSeen } from '../support/seen-requests.js';
import { failure } from '../support/scripted-fetch.js';

const ZONE = 'example.test';
const seen: SeenRequest[] = [];
const provider = (g: FakeGandi, auth: { apiKey?: string; personalAccessToken?: string } = { personalAccessToken: g.personalAccessToken }) => new GandiProvider({ id: 'gandi', apiUrl: g.apiUrl, ...auth });
const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string, ttl = 300) => ({ name, type: 'TXT', data, ttl });

async function fake(): Promise<FakeGandi> {
  return keepingSeen(seen, await startFakeGandi([ZONE, 'other.test']));
}

describeConformanceAndExtras({
  label: 'gandi', against: 'against a fake of LiveDNS built from the recorded API', zone: ZONE, fake, provider: (g) => provider(g),
  extras: (g) => ({
    seed: (fqdn, texts) => g.put(ZONE, { rrset_name: fqdn.slice(0, -(ZONE.length + 1)), rrset_type: 'TXT', rrset_ttl: 3600, rrset_values: texts.map((t) => `"${t}"`) }),
    configEntry: `type: gandi\napi_url: ${g.apiUrl}\npersonal_access_token: ${g.personalAccessToken}`,
    unknownZone: { zone: 'thisisadomainidonotown.com', message: 'Gandi provider gandi: no LiveDNS domain for thisisadomainidonotown.com (not in the account, not on LiveDNS, or the credentials may not read it)' },
  }),
});

describe('gandi specifics', () => {
  it('the deprecated API key works too (Authorization: Apikey); a refused one is DNS_AUTH naming the permission, no key in it', async () => {
    const g = await fake();
    try {
      await provider(g, { apiKey: g.apiKey }).appendRecords(ZONE, [txt('_acme-challenge.key', 'v')], signal());
      expect(g.txt(`_acme-challenge.key.${ZONE}`)).toEqual(['v']);
      const err = await failure(provider(g, { personalAccessToken: 'pat_wrong-token-value' }).appendRecords(ZONE, [txt('_acme-challenge.key', 'w')], signal()));
      expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('HTTP 401: The server could not verify that you are authorized') });
      expect(err.message).toContain('Manage domain name technical configurations');
      expect(err.message).not.toContain('wrong-token-value');
    } finally {
      await g.stop();
    }
  });

  it('get and set (ExternalDNS)', async () => {
    const g = await fake();
    try {
      const p = provider(g);
      const www = { name: 'www', type: 'CNAME', data: 'target.example.net', ttl: 300 };
      const mx = [{ name: '@', type: 'MX', data: '10 mail.example.test', ttl: 300 }, { name: '@', type: 'MX', data: '20 backup.example.test', ttl: 300 }];
      expect(await p.setRecords(ZONE, [www, ...mx, txt('owner', 'heritage=external-dns')], signal())).toHaveLength(4);
      expect(g.rrsets(ZONE).find((r) => r.rrset_type === 'CNAME')?.rrset_values).toEqual(['target.example.net.']);
      expect(await p.getRecords(ZONE, signal())).toEqual(expect.arrayContaining([www, ...mx, txt('owner', 'heritage=external-dns'), { name: '@', type: 'A', data: '192.0.2.10', ttl: 600 }]));
      await p.setRecords(ZONE, [{ ...www, data: 'moved.example.net' }], signal(), [{ name: 'owner', type: 'TXT' }]);
      const after = await p.getRecords(ZONE, signal());
      expect(after.filter((r) => r.name === 'www')).toEqual([{ ...www, data: 'moved.example.net' }]);
      expect(after.filter((r) => r.name === 'owner')).toEqual([]);
    } finally {
      await g.stop();
    }
  });
});

describe('gandi requests against the recordings', () => {
  it('every request the provider made has a method, path, query and body the recorded traffic shows', () => {
    // The suites above ran first (same file, in order) and left their requests in `seen`.
    expect(seen.length).toBeGreaterThan(50);
    // Record names and types in a path are names, not words of the API (the recordings' own, and the tests').
    const names = new Set(['localhost', 'docs', 'www', 'owner', 'A', 'AAAA', 'CNAME', 'TXT', 'MX']);
    expect(shapeContradictions(loadCassettes('gandi/REST-IntegrationTests'), seen, { isVariable: (s) => names.has(s) })).toEqual([]);
  });

  it('listing the domains is the one request the recordings do not show: it is from Gandi\'s documentation', async () => {
    const g = await startFakeGandi([ZONE, 'other.test']);
    try {
      expect((await provider(g).listZones(signal())).sort()).toEqual(['example.test', 'other.test']);
      expect(shapeContradictions(loadCassettes('gandi/REST-IntegrationTests'), g.server.seen)).toEqual(['GET v5/livedns/domains: no recorded request has this method and path']);
    } finally {
      await g.stop();
    }
  });
});
