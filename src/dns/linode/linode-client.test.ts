import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes, recordedJson } from '../../../test/support/cassette.js';
import { failure, scriptedFetch } from '../../../test/support/scripted-fetch.js';
import { describeTokenApiErrors } from '../../../test/support/token-api-errors.js';
import { LinodeClient } from './linode-client.js';
import { linodeProvider } from './linode-provider.js';

const recorded = loadCassettes('linode');
const ZONE = 'lexicon-test.com';
const signal = () => AbortSignal.timeout(10_000);
const client = (fetch: ReturnType<typeof scriptedFetch>['fetch']) => new LinodeClient({ id: 'li', apiToken: 'tok', apiUrl: 'https://api.linode.com/v4', fetch, maxRetries: 1 });
const domains = findRecorded(recorded, { method: 'GET', path: /\/v4\/domains$/, cassette: /^test_provider_authenticate$/ });

describe('Linode client, fed the recorded answers', () => {
  it('finds the domain with the recorded X-Filter header; the recorded empty answer means no such zone', async () => {
    const { fetch, calls } = scriptedFetch([domains, findRecorded(recorded, { cassette: /unmanaged_domain/ })]);
    const c = client(fetch);
    expect(await c.findZone(ZONE, signal())).toEqual({ id: 1065421, name: ZONE, ttl: 0 });
    expect(JSON.parse(calls[0]!.headers['x-filter']!)).toEqual(JSON.parse(domains.requestHeaders['x-filter']!));
    expect(await c.findZone('thisisadomainidonotown.com', signal())).toBeUndefined();
  });

  it('an unknown zone (the recorded empty list for each label) is DNS_ZONE_NOT_FOUND', async () => {
    const empty = findRecorded(recorded, { cassette: /unmanaged_domain/ });
    const p = linodeProvider({ id: 'li', apiToken: 'tok', fetch: scriptedFetch([empty, empty]).fetch });
    expect(await failure(p.appendRecords('thisisadomainidonotown.com', [{ name: '_acme-challenge', type: 'TXT', data: 'x', ttl: 60 }], signal()))).toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });

  it('reads the recorded records (target, ttl_sec 0 as the domain default, the apex as "")', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/records$/, cassette: /list_records_with_no_arguments/ });
    const records = await client(scriptedFetch([list]).fetch).list({ id: 1065421, name: ZONE, ttl: 0 }, signal());
    expect(records).toHaveLength(recordedJson<{ results: number }>(list).results);
    expect(records).toContainEqual({ id: '9295234', name: `_acme-challenge.fqdn.${ZONE}`, type: 'TXT', data: 'challengetoken', ttl: 0 });
    expect(records).toContainEqual({ id: '9295233', name: `docs.${ZONE}`, type: 'CNAME', data: 'docs.example.com', ttl: 0 });
  });

  it('follows pages up to `pages`', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/records$/, cassette: /list_records_with_no_arguments/ });
    const body = recordedJson<{ data: unknown[] }>(list);
    const page = (n: number) => ({ status: 200, body: JSON.stringify({ ...body, page: n, pages: 2 }) });
    const { fetch, calls } = scriptedFetch([page(1), page(2)]);
    expect(await client(fetch).list({ id: 1065421, name: ZONE, ttl: 0 }, signal())).toHaveLength(body.data.length * 2);
    expect(calls.map((c) => new URL(c.url).search)).toEqual(['', '?page=2']);
  });

  it('creates with the recorded request body, and deletes by id (recorded {})', async () => {
    const create = findRecorded(recorded, { method: 'POST', cassette: /delete_record_by_filter_should_remove/ });
    const del = findRecorded(recorded, { method: 'DELETE', cassette: /delete_record_by_filter_should_remove/ });
    const { fetch, calls } = scriptedFetch([create, del]);
    const c = client(fetch);
    const sent = recordedJson<{ name: string; target: string; ttl_sec: number }>(create, 'request');
    await c.create({ id: 1065421, name: ZONE, ttl: 0 }, { name: `${sent.name}.${ZONE}`, type: 'TXT', data: sent.target, ttl: sent.ttl_sec }, signal());
    expect(JSON.parse(calls[0]!.body)).toEqual(sent);
    expect(await c.remove({ id: 1065421, name: ZONE, ttl: 0 }, { id: del.url.pathname.split('/').pop()!, name: '', type: 'TXT', data: '', ttl: 0 }, signal())).toBe(true);
    expect(calls[1]!.url).toBe(del.url.href);
  });
});

describeTokenApiErrors('Linode client', {
  call: (fetch, token) => new LinodeClient({ id: 'li', apiToken: token, fetch, maxRetries: 1 }).findZone(ZONE, signal()),
  ok: domains,
  permission: /^Linode provider li: GET \/domains: credentials refused \(HTTP 40[13].*\); the token needs the Domains scope with Read\/Write/,
});
