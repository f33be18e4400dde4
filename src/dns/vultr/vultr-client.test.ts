import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes, recordedJson } from '../../../test/support/cassette.js';
import { failure, scriptedFetch } from '../../../test/support/scripted-fetch.js';
import { describeTokenApiErrors } from '../../../test/support/token-api-errors.js';
import { VultrClient } from './vultr-client.js';
import { vultrProvider } from './vultr-provider.js';

const recorded = loadCassettes('vultr');
const ZONE = 'lexicon-test.eu';
const signal = () => AbortSignal.timeout(10_000);
const client = (fetch: ReturnType<typeof scriptedFetch>['fetch']) => new VultrClient({ id: 'vu', apiKey: 'key', apiUrl: 'https://api.vultr.com/v2', fetch, maxRetries: 1 });
const domains = findRecorded(recorded, { method: 'GET', path: /\/v2\/domains$/, cassette: /^test_provider_authenticate$/ });

describe('Vultr client, fed the recorded answers', () => {
  it('finds the zone in the recorded domain list; one not in it is DNS_ZONE_NOT_FOUND', async () => {
    expect(await client(scriptedFetch([domains]).fetch).zones(signal())).toEqual(['lexicon-test.eu', 'sielski.be']);
    const unmanaged = findRecorded(recorded, { cassette: /unmanaged_domain/ });
    const p = vultrProvider({ id: 'vu', apiKey: 'key', fetch: scriptedFetch([unmanaged, unmanaged]).fetch });
    expect(await failure(p.appendRecords('thisisadomainidonotown.com', [{ name: '_acme-challenge', type: 'TXT', data: 'x', ttl: 60 }], signal()))).toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });

  it('reads the recorded records: TXT unquoted, the apex "", MX with its priority', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/records$/, cassette: /list_records_with_no_arguments/ });
    const records = await client(scriptedFetch([list]).fetch).list({ name: ZONE }, signal());
    expect(records).toHaveLength(recordedJson<{ meta: { total: number } }>(list).meta.total);
    expect(records).toContainEqual({ id: '28493b0a-7f99-4558-aaea-c0f05f57a667', name: `_acme-challenge.fqdn.${ZONE}`, type: 'TXT', data: 'challengetoken', ttl: 3600 });
    expect(records).toContainEqual({ id: '6cd3c3fb-0aee-457e-929b-4729e5c8e6e0', name: ZONE, type: 'MX', data: `10 ${ZONE}`, ttl: 300 });
  });

  it('follows the meta.links.next cursor', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/records$/, cassette: /list_records_with_no_arguments/ });
    const body = recordedJson<{ records: unknown[]; meta: object }>(list);
    const { fetch, calls } = scriptedFetch([
      { status: 200, body: JSON.stringify({ ...body, meta: { total: 0, links: { next: 'bmV4dA==', prev: '' } } }) },
      { status: 200, body: JSON.stringify({ ...body, meta: { total: 0, links: { next: '', prev: 'cHJldg==' } } }) },
    ]);
    expect(await client(fetch).list({ name: ZONE }, signal())).toHaveLength(body.records.length * 2);
    expect(calls.map((c) => new URL(c.url).search)).toEqual(['', '?cursor=bmV4dA%3D%3D']);
  });

  it('creates with the recorded request body (TXT quoted, priority 0), and deletes by id (recorded 204)', async () => {
    const create = findRecorded(recorded, { method: 'POST', cassette: /delete_record_by_filter_should_remove/ });
    const del = findRecorded(recorded, { method: 'DELETE', cassette: /delete_record_by_filter_should_remove/ });
    const { fetch, calls } = scriptedFetch([create, del]);
    const c = client(fetch);
    const sent = recordedJson<{ name: string; data: string; ttl: number }>(create, 'request');
    await c.create({ name: ZONE }, { name: `${sent.name}.${ZONE}`, type: 'TXT', data: 'challengetoken', ttl: sent.ttl }, signal());
    expect(JSON.parse(calls[0]!.body)).toEqual(sent);
    expect(await c.remove({ name: ZONE }, { id: del.url.pathname.split('/').pop()!, name: '', type: 'TXT', data: '', ttl: 0 }, signal())).toBe(true);
    expect(calls[1]!.url).toBe(del.url.href);
  });
});

describeTokenApiErrors('Vultr client', {
  call: (fetch, token) => new VultrClient({ id: 'vu', apiKey: token, fetch, maxRetries: 1 }).findZone(ZONE, signal()),
  ok: domains,
  permission: /^Vultr provider vu: GET \/domains: credentials refused \(HTTP 40[13].*\); the API key must be enabled and its access control must allow this machine's IP address/,
});
