import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes, recordedJson } from '../../../test/support/cassette.js';
import { failure, scriptedFetch } from '../../../test/support/scripted-fetch.js';
import { describeTokenApiErrors } from '../../../test/support/token-api-errors.js';
import { DigitalOceanClient } from './digitalocean-client.js';
import { digitalOceanProvider } from './digitalocean-provider.js';

const recorded = loadCassettes('digitalocean');
const ZONE = 'foxwoodswebsites.com';
const signal = () => AbortSignal.timeout(10_000);
const client = (fetch: ReturnType<typeof scriptedFetch>['fetch']) => new DigitalOceanClient({ id: 'do', apiToken: 'tok', apiUrl: 'https://api.digitalocean.com/v2', fetch, maxRetries: 1 });

describe('DigitalOcean client, fed the recorded answers', () => {
  it('reads both recorded pages of records, following links.pages.next', async () => {
    const page1 = findRecorded(recorded, { method: 'GET', path: /\/records$/, cassette: /list_records_with_no_arguments/ });
    const page2 = recorded[recorded.indexOf(page1) + 1]!;
    const { fetch, calls } = scriptedFetch([page1, page2]);
    const records = await client(fetch).list({ name: ZONE }, signal());
    expect(calls.map((c) => c.url)).toEqual([`https://api.digitalocean.com/v2/domains/${ZONE}/records`, `https://api.digitalocean.com/v2/domains/${ZONE}/records?page=2`]);
    expect(records).toHaveLength(recordedJson<{ meta: { total: number } }>(page1).meta.total);
    expect(records).toContainEqual({ id: '92264103', name: `_acme-challenge.fqdn.${ZONE}`, type: 'TXT', data: 'challengetoken', ttl: 3600 });
    expect(records).toContainEqual({ id: '78210036', name: ZONE, type: 'NS', data: 'ns1.digitalocean.com', ttl: 1800 });
    expect(records).toContainEqual({ id: '92264101', name: `docs.${ZONE}`, type: 'CNAME', data: 'docs.example.com', ttl: 3600 });
  });

  it('finds the recorded domain, and the recorded 404 means no such zone', async () => {
    const { fetch } = scriptedFetch([findRecorded(recorded, { cassette: /^test_provider_authenticate$/ }), findRecorded(recorded, { status: 404 })]);
    const c = client(fetch);
    expect(await c.findZone(ZONE, signal())).toEqual({ name: ZONE });
    expect(await c.findZone('thisisadomainidonotown.com', signal())).toBeUndefined();
  });

  it('an unknown zone (the recorded 404 for each label) is DNS_ZONE_NOT_FOUND', async () => {
    const notFound = findRecorded(recorded, { status: 404 });
    const { fetch } = scriptedFetch([notFound, notFound]);
    const p = digitalOceanProvider({ id: 'do', apiToken: 'tok', fetch });
    expect(await failure(p.appendRecords('thisisadomainidonotown.com', [{ name: '_acme-challenge', type: 'TXT', data: 'x', ttl: 60 }], signal()))).toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });

  it('creates a record with the recorded request body, and deletes by id (recorded 204)', async () => {
    const create = findRecorded(recorded, { method: 'POST', cassette: /delete_record_by_filter_should_remove/ });
    const del = findRecorded(recorded, { method: 'DELETE', cassette: /delete_record_by_filter_should_remove/ });
    const { fetch, calls } = scriptedFetch([create, del, findRecorded(recorded, { status: 404 })]);
    const c = client(fetch);
    await c.create({ name: ZONE }, { name: `delete.testfilt.${ZONE}`, type: 'TXT', data: 'challengetoken', ttl: 3600 }, signal());
    expect(JSON.parse(calls[0]!.body)).toEqual(recordedJson(create, 'request'));
    expect(await c.remove({ name: ZONE }, { id: '92264290', name: '', type: 'TXT', data: '', ttl: 0 }, signal())).toBe(true);
    expect(calls[1]!.url).toBe(del.url.href);
    expect(await c.remove({ name: ZONE }, { id: '92264290', name: '', type: 'TXT', data: '', ttl: 0 }, signal())).toBe(false);
  });
});

describeTokenApiErrors('DigitalOcean client', {
  call: (fetch, token) => new DigitalOceanClient({ id: 'do', apiToken: token, fetch, maxRetries: 1 }).findZone(ZONE, signal()),
  ok: findRecorded(recorded, { cassette: /^test_provider_authenticate$/ }),
  permission: /^DigitalOcean provider do: GET \/domains\/foxwoodswebsites\.com: credentials refused \(HTTP 40[13].*\); the token needs write scope/,
});
