import { describe, expect, it } from 'vitest';
import { CloudflareProvider } from '../../src/dns/cloudflare/cloudflare-provider.js';
import type { FetchLike } from '../../src/http/pool-fetch.js';
import { findRecorded, loadCassettes } from '../support/cassette.js';
import { startFakeCloudflare } from '../support/fake-cloudflare.js';
import { shapeContradictions, type SeenRequest } from '../support/recorded-shapes.js';
import { describeProviderConformance } from '../support/provider-conformance.js';

describeProviderConformance('cloudflare (against a fake built from its recorded traffic)', async () => {
  const cf = await startFakeCloudflare(['example.test']);
  return { provider: new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url }), zone: 'example.test', txt: (f) => Promise.resolve(cf.txt(f)), stop: cf.stop };
});

describe('cloudflare specifics', () => {
  const rec = { name: '_acme-challenge.www', type: 'TXT', data: 'v1', ttl: 60 };
  const signal = () => AbortSignal.timeout(10_000);

  it('finds the zone by walking up the labels; a delete after a restart finds the record id by listing', async () => {
    const cf = await startFakeCloudflare(['example.test']);
    try {
      // certfleet's SOA walk may hand over a name below the Cloudflare zone (e.g. an undelegated label).
      await new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url }).appendRecords('sub.example.test', [{ ...rec, name: '_acme-challenge' }], signal());
      expect(cf.txt('_acme-challenge.sub.example.test')).toEqual(['v1']);
      expect(cf.requests.slice(0, 2)).toEqual(['GET /client/v4/zones', 'GET /client/v4/zones']);
      const fresh = new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url });
      await fresh.deleteRecords('sub.example.test', [{ ...rec, name: '_acme-challenge' }], signal());
      expect(cf.txt('_acme-challenge.sub.example.test')).toEqual([]);
    } finally {
      await cf.stop();
    }
  });

  it('waits out 429 with Retry-After; gives up clearly when it persists', async () => {
    const cf = await startFakeCloudflare(['example.test']);
    try {
      const p = new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url, maxRateLimitRetries: 2 });
      cf.rateLimitNext(2);
      await p.appendRecords('example.test', [rec], signal());
      expect(cf.txt('_acme-challenge.www.example.test')).toEqual(['v1']);
      cf.rateLimitNext(5);
      await expect(p.appendRecords('example.test', [{ ...rec, data: 'v2' }], signal())).rejects.toMatchObject({ code: 'DNS_PROVIDER', retryable: true, message: expect.stringMatching(/^Cloudflare provider cf: POST \/zones\/[0-9a-f]+\/dns_records: rate limited \(HTTP 429: 971 Please wait and consider throttling your request speed\) after 2 retries$/) });
    } finally {
      await cf.stop();
    }
  });

  it('a refused token and an unknown zone: clear errors, the token never in them', async () => {
    const cf = await startFakeCloudflare(['example.test']);
    try {
      const bad = new CloudflareProvider({ id: 'cf', apiToken: 'wrong-token-value', apiUrl: cf.url });
      const err = await bad.appendRecords('example.test', [rec], signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
      expect(err).toMatchObject({ code: 'DNS_AUTH', message: 'Cloudflare provider cf: GET /zones: credentials refused (HTTP 403: 10000 Authentication error); the API token needs Zone:Read and DNS:Edit on this zone' });
      expect(err.message).not.toContain('wrong-token-value');
      await expect(new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url }).appendRecords('other.test', [rec], signal()))
        .rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: 'Cloudflare provider cf: no zone for other.test in this account (or the token may not read it)' });
    } finally {
      await cf.stop();
    }
  });
});

describe('cloudflare against its recorded traffic', () => {
  const signal = () => AbortSignal.timeout(10_000);
  const recorded = loadCassettes('cloudflare');

  it('parses the recorded answers verbatim: the zone list, a record list, a duplicate create', async () => {
    const answers = [
      findRecorded(recorded, { method: 'GET', path: /\/zones$/ }),
      findRecorded(recorded, { method: 'POST', path: /\/dns_records$/, status: 400 }),
      findRecorded(recorded, { method: 'GET', path: /\/dns_records$/, cassette: /delete_record_by_filter_should_remove_record/ }),
      findRecorded(recorded, { method: 'DELETE', path: /\/dns_records\// }),
    ];
    const fetch: FetchLike = () => {
      const a = answers.shift()!;
      return Promise.resolve({ ok: a.status < 300, status: a.status, headers: { get: () => null }, text: () => Promise.resolve(a.responseBody), json: () => Promise.resolve(JSON.parse(a.responseBody)) });
    };
    const p = new CloudflareProvider({ id: 'cf', apiToken: 'token-for-recordings', fetch });
    // The recorded zone is byemike.org; the recorded create answered "identical record exists".
    expect(await p.appendRecords('byemike.org', [{ name: '_acme-challenge.noop', type: 'TXT', data: 'challengetoken', ttl: 3600 }], signal())).toEqual([]);
    expect(await p.deleteRecords('byemike.org', [{ name: 'delete.testfilt', type: 'TXT', data: 'challengetoken', ttl: 3600 }], signal())).toEqual([{ name: 'delete.testfilt', type: 'TXT', data: 'challengetoken', ttl: 3600 }]);
  });

  it('reads every page of zones and records (it used to stop at the first 50 zones)', async () => {
    const zones = Array.from({ length: 130 }, (_, i) => `z${i}.example.test`);
    const cf = await startFakeCloudflare(zones);
    try {
      const p = new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url });
      expect((await p.listZones(signal())).sort()).toEqual([...zones].sort());
      const many = Array.from({ length: 150 }, (_, i) => ({ name: `r${i}`, type: 'TXT', data: `v${i}`, ttl: 60 }));
      await p.appendRecords('z0.example.test', many, signal());
      expect((await p.getRecords('z0.example.test', signal())).filter((r) => r.type === 'TXT')).toHaveLength(150);
    } finally {
      await cf.stop();
    }
  });

  it('makes no request whose shape the recordings contradict (beyond the documented name filter and batch endpoint)', async () => {
    const cf = await startFakeCloudflare(['example.test']);
    try {
      const p = new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url });
      const recs = [{ name: '_acme-challenge', type: 'TXT', data: 'a', ttl: 60 }, { name: '_acme-challenge', type: 'TXT', data: 'b', ttl: 60 }];
      await p.appendRecords('example.test', recs, signal());
      await new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url }).deleteRecords('example.test', recs.slice(0, 1), signal());
      await p.getRecords('example.test', signal());
      await p.listZones(signal());
      await p.setRecords('example.test', [{ name: 'www', type: 'A', data: '192.0.2.1', ttl: 300 }], signal());
      const documented = (s: SeenRequest) => s.url.endsWith('/dns_records/batch') || (s.method === 'GET' && /\/zones\?name=/.test(s.url));
      expect(shapeContradictions(recorded, cf.seen.filter((s) => !documented(s)))).toEqual([]);
      expect(cf.seen.filter(documented).length).toBeGreaterThan(0);
    } finally {
      await cf.stop();
    }
  });
});
