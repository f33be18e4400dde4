import { describe, expect, it } from 'vitest';
import { CloudflareProvider } from '../../src/dns/cloudflare/cloudflare-provider.js';
import { startFakeCloudflare } from '../support/fake-cloudflare.js';
import { describeProviderConformance } from '../support/provider-conformance.js';

describeProviderConformance('cloudflare (against a fake of API v4)', async () => {
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
      await expect(p.appendRecords('example.test', [{ ...rec, data: 'v2' }], signal())).rejects.toMatchObject({ code: 'DNS_PROVIDER', retryable: true, message: 'Cloudflare provider cf, zone example.test: rate limited (HTTP 429) after 2 retries' });
    } finally {
      await cf.stop();
    }
  });

  it('a refused token and an unknown zone: clear errors, the token never in them', async () => {
    const cf = await startFakeCloudflare(['example.test']);
    try {
      const bad = new CloudflareProvider({ id: 'cf', apiToken: 'wrong-token-value', apiUrl: cf.url });
      const err = await bad.appendRecords('example.test', [rec], signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
      expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/^Cloudflare provider cf, zone example\.test: API token refused \(HTTP 403: 10000 Authentication error\); it needs Zone:Read and DNS:Edit/) });
      expect(err.message).not.toContain('wrong-token-value');
      await expect(new CloudflareProvider({ id: 'cf', apiToken: cf.token, apiUrl: cf.url }).appendRecords('other.test', [rec], signal()))
        .rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: 'Cloudflare provider cf: no zone for other.test in this account (or the token may not read it)' });
    } finally {
      await cf.stop();
    }
  });
});
