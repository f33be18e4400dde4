import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes, recordedJson } from '../../../test/support/cassette.js';
import { answer, failure, recordedAnswer, scriptedFetch } from '../../../test/support/scripted-fetch.js';
import { GoogleCloudDnsProvider } from './google-cloud-dns-provider.js';

const recorded = loadCassettes('googleclouddns');
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
// The recorded project; the recordings' token endpoint is the default for a key without token_uri.
const key = JSON.stringify({ type: 'service_account', project_id: 'named-archway-209418', private_key: pem, client_email: 'lexicon@named-archway-209418.iam.gserviceaccount.com' });
const API = 'https://content.googleapis.com/dns/v1';
const ZONE = 'fullm3tal.tk';
const signal = () => AbortSignal.timeout(10_000);

const token = findRecorded(recorded, { method: 'POST', path: /oauth2\/v4\/token$/ });
const zones = findRecorded(recorded, { method: 'GET', path: /\/managedZones$/ });
const provider = (fetch: ReturnType<typeof scriptedFetch>['fetch']) => new GoogleCloudDnsProvider({ id: 'gc', serviceAccountKey: key, apiUrl: API, fetch });

describe('GoogleCloudDnsProvider on the recorded answers', () => {
  it('adds a second value to a recorded record set with the change lexicon recorded: the set as read deleted, the union added', async () => {
    const cassette = /create_record_multiple_times_should_create_record_set/;
    const read = recorded.filter((i) => cassette.test(i.cassette) && i.method === 'GET' && i.url.pathname.endsWith('/rrsets'))[1]!;
    const change = recorded.filter((i) => cassette.test(i.cassette) && i.method === 'POST' && i.url.pathname.endsWith('/changes'))[1]!;
    const { fetch, calls } = scriptedFetch([recordedAnswer(token), recordedAnswer(zones), recordedAnswer(read), recordedAnswer(change)]);
    const rec = { name: '_acme-challenge.createrecordset', type: 'TXT', data: 'challengetoken2', ttl: 3600 };
    expect(await provider(fetch).appendRecords(ZONE, [rec], signal())).toEqual([rec]);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST https://www.googleapis.com/oauth2/v4/token',
      `${zones.method} ${zones.url.href}`,
      `${read.method} ${read.url.href}`,
      `${change.method} ${change.url.href}`,
    ]);
    expect(calls[1]!.headers.authorization).toBe('Bearer access_token_placeholder');
    expect(JSON.parse(calls[3]!.body)).toEqual(recordedJson(change, 'request'));
  });

  it('a value already in the recorded set is not created: no change is sent', async () => {
    const read = recorded.filter((i) => /duplicate_records_should_be_noop/.test(i.cassette) && i.method === 'GET' && i.url.search.includes('name='))[1]!;
    const { fetch, calls } = scriptedFetch([recordedAnswer(token), recordedAnswer(zones), recordedAnswer(read)]);
    expect(await provider(fetch).appendRecords(ZONE, [{ name: '_acme-challenge.noop', type: 'TXT', data: 'challengetoken', ttl: 3600 }], signal())).toEqual([]);
    expect(calls).toHaveLength(3);
  });

  it('deletes the last value as lexicon recorded: the set deleted, nothing added', async () => {
    const cassette = /delete_record_by_filter_should_remove_record/;
    const [create, change] = recorded.filter((i) => cassette.test(i.cassette) && i.method === 'POST' && i.url.pathname.endsWith('/changes'));
    // The recorded create answer holds the set as it was before the delete.
    const set = recordedJson<{ additions: unknown[] }>(create!).additions[0];
    const { fetch, calls } = scriptedFetch([recordedAnswer(token), recordedAnswer(zones), answer(200, JSON.stringify({ kind: 'dns#resourceRecordSetsListResponse', rrsets: [set] })), recordedAnswer(change!)]);
    const rec = { name: 'delete.testfilt', type: 'TXT', data: 'challengetoken', ttl: 3600 };
    expect(await provider(fetch).deleteRecords(ZONE, [rec], signal())).toEqual([rec]);
    expect(JSON.parse(calls[3]!.body)).toEqual(recordedJson(change!, 'request'));
  });

  it('reads the recorded zone listing: host names lose the dot, TXT sets become one record per value', async () => {
    const list = recorded.find((i) => i.method === 'GET' && i.url.pathname.endsWith('/rrsets') && i.url.search === '' && i.responseBody.includes('createrecordset'))!;
    const { fetch } = scriptedFetch([recordedAnswer(token), recordedAnswer(zones), recordedAnswer(list)]);
    const records = await provider(fetch).getRecords(ZONE, signal());
    expect(records).toEqual(expect.arrayContaining([
      { name: '@', type: 'NS', ttl: 21600, data: 'ns-cloud-c1.googledomains.com' },
      { name: 'docs', type: 'CNAME', ttl: 3600, data: 'docs.example.com' },
      { name: '_acme-challenge.createrecordset', type: 'TXT', ttl: 3600, data: 'challengetoken1' },
      { name: '_acme-challenge.createrecordset', type: 'TXT', ttl: 3600, data: 'challengetoken2' },
    ]));
    expect(records.filter((r) => r.type === 'SOA')).toHaveLength(1);
  });

  it('follows nextPageToken through every page', async () => {
    const page = (rrsets: unknown[], next?: string) => answer(200, JSON.stringify({ kind: 'dns#resourceRecordSetsListResponse', rrsets, ...(next ? { nextPageToken: next } : {}) }));
    const a = { kind: 'dns#resourceRecordSet', name: 'a.fullm3tal.tk.', type: 'A', ttl: 300, rrdatas: ['192.0.2.1'] };
    const b = { ...a, name: 'b.fullm3tal.tk.' };
    const { fetch, calls } = scriptedFetch([recordedAnswer(token), recordedAnswer(zones), page([a], 'CgZ0b2tlbg'), page([b])]);
    expect((await provider(fetch).getRecords(ZONE, signal())).map((r) => r.name)).toEqual(['a', 'b']);
    expect(new URL(calls[3]!.url).searchParams.get('pageToken')).toBe('CgZ0b2tlbg');
  });

  it('the recorded unmanaged-domain case: a zone not in the listing is DNS_ZONE_NOT_FOUND', async () => {
    const listing = recordedAnswer(findRecorded(recorded, { method: 'GET', path: /\/managedZones$/, cassette: /unmanaged/ }));
    // Listed twice: a zone added since the first listing would be in the second.
    const { fetch, calls } = scriptedFetch([recordedAnswer(token), listing, listing]);
    await expect(provider(fetch).appendRecords('thisisadomainidonotown.com', [{ name: '_acme-challenge', type: 'TXT', data: 'x', ttl: 60 }], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
    expect(calls).toHaveLength(3);
  });

  it('403 is DNS_AUTH naming the role; an error body echoing the token has it scrubbed', async () => {
    const body = JSON.stringify({ error: { code: 403, message: 'Forbidden for token access_token_placeholder', errors: [{ reason: 'forbidden' }] } });
    const { fetch } = scriptedFetch([recordedAnswer(token), answer(403, body)]);
    const err = await failure(provider(fetch).listZones(signal()));
    expect(err).toMatchObject({ code: 'DNS_AUTH' });
    expect(err.message).toContain('roles/dns.admin');
    expect(err.message).toContain('Google Cloud DNS provider gc');
    expect(err.message).not.toContain('access_token_placeholder');
  });

  it('429 waits for Retry-After; a 5xx on a read backs off and retries; a 5xx on a change is not repeated', async () => {
    const { fetch, calls } = scriptedFetch([recordedAnswer(token), answer(429, '', { 'retry-after': '1' }), answer(503, ''), recordedAnswer(zones), answer(200, '{"rrsets":[]}'), answer(500, '{"error":{"code":500,"message":"Internal error"}}')]);
    const err = await failure(provider(fetch).appendRecords(ZONE, [{ name: 'x', type: 'TXT', data: 'y', ttl: 60 }], signal()));
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(950);
    expect(calls).toHaveLength(6);
    expect(err).toMatchObject({ code: 'DNS_PROVIDER', retryable: true, message: expect.stringContaining('HTTP 500: Internal error') });
  });
});
