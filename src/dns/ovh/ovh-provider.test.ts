import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes, recordedJson } from '../../../test/support/cassette.js';
import { buildAndThinRecordedSet } from '../../../test/support/record-set-survival.js';
import { answer, failure, recordedAnswer, replayFetch, scriptedFetch } from '../../../test/support/scripted-fetch.js';
import { OvhProvider } from './ovh-provider.js';

const recorded = loadCassettes('ovh');
const API = 'https://eu.api.ovh.com/1.0';
const ZONE = 'pacalis.net';
const AS = 'as-0123456789abcdef';
const CK = 'ck-0123456789abcdef';
const signal = () => AbortSignal.timeout(10_000);
const time = findRecorded(recorded, { path: /\/auth\/time$/, cassette: /^test_provider_authenticate$/ });
const zones = findRecorded(recorded, { path: /\/domain\/zone\/$/ });
// Our clock 100 s behind the recorded server's: the signed timestamps must be the server's.
const serverNow = Number(time.responseBody);
const provider = (fetch: ReturnType<typeof scriptedFetch>['fetch']) => new OvhProvider({ id: 'ovh', apiUrl: API, applicationKey: 'ak-1', applicationSecret: AS, consumerKey: CK, fetch, now: () => (serverNow - 100) * 1000 });
const cassette = (name: RegExp) => [time, zones, ...recorded.filter((i) => name.test(i.cassette) && !i.url.pathname.endsWith('/auth/time'))];

describe('OvhProvider on the recorded answers', () => {
  it('signs every request but /auth/time with $1$ SHA-1 over secret, consumer key, method, URL, body and the server\'s timestamp', async () => {
    const { fetch, calls } = replayFetch(cassette(/create_record_for_TXT_with_valid_name/));
    const rec = { name: '_acme-challenge.test', type: 'TXT', data: 'challengetoken', ttl: 3600 };
    expect(await provider(fetch).appendRecords(ZONE, [rec], signal())).toEqual([rec]);
    expect(calls[0]!.url).toBe(`${API}/auth/time`);
    expect(calls[0]!.headers['x-ovh-signature']).toBeUndefined();
    const post = calls.find((c) => c.method === 'POST' && c.url.endsWith('/record'))!;
    expect(post.headers).toMatchObject({ 'x-ovh-application': 'ak-1', 'x-ovh-consumer': CK, 'x-ovh-timestamp': String(serverNow) });
    const sha1 = createHash('sha1').update(`${AS}+${CK}+POST+${API}/domain/zone/pacalis.net/record+${post.body}+${serverNow}`).digest('hex');
    expect(post.headers['x-ovh-signature']).toBe(`$1$${sha1}`);
    // The body lexicon recorded, field for field.
    expect(JSON.parse(post.body)).toEqual(recordedJson(findRecorded(recorded, { method: 'POST', path: /\/record$/, cassette: /create_record_for_TXT_with_valid_name/ }), 'request'));
  });

  it('a record set built and thinned as lexicon recorded it: the same requests in the same order, a refresh after each change', async () => {
    const tape = recorded.filter((i) => /delete_record_with_record_set_by_content/.test(i.cassette));
    const { fetch, calls } = replayFetch(tape);
    await buildAndThinRecordedSet(provider(fetch), ZONE, signal());
    // Lexicon also asked for the zone's status, and listed the name once more at the end to check.
    const expected = tape.filter((i) => !i.url.pathname.endsWith('/status')).slice(0, -2);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(expected.map((i) => `${i.method} ${i.url.href}`));
    for (const [n, c] of calls.entries()) if (expected[n]!.requestBody) expect(JSON.parse(c.body)).toEqual(recordedJson(expected[n]!, 'request'));
  });

  it('reads a whole recorded zone: ids, then each record; TXT unquoted, host names without the dot', async () => {
    const list = recorded.filter((i) => /list_records_with_no_arguments/.test(i.cassette));
    const { fetch } = replayFetch([time, zones, ...list, ...recorded.filter((i) => i.method === 'GET' && /\/record\/\d+$/.test(i.url.pathname))]);
    const records = await provider(fetch).getRecords(ZONE, signal());
    expect(records.length).toBe(recordedJson<number[]>(list.find((i) => i.method === 'GET' && i.url.pathname.endsWith('/record') && i.url.search === '')!).length);
    expect(records).toEqual(expect.arrayContaining([{ name: 'docs', type: 'CNAME', ttl: 3600, data: 'docs.example.com' }, { name: '_acme-challenge.test', type: 'TXT', ttl: 3600, data: 'challengetoken' }]));
  });

  it('the recorded unmanaged-domain case: a zone not in the account is DNS_ZONE_NOT_FOUND', async () => {
    const { fetch } = scriptedFetch([recordedAnswer(time), recordedAnswer(zones), recordedAnswer(zones)]);
    await expect(provider(fetch).appendRecords('thisisadomainidonotown.com', [{ name: '_acme-challenge', type: 'TXT', data: 'x', ttl: 60 }], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });

  it('403 is DNS_AUTH naming the rights; an error body echoing the consumer key has it scrubbed; a zone 404 is DNS_ZONE_NOT_FOUND', async () => {
    const denied = scriptedFetch([recordedAnswer(time), answer(403, JSON.stringify({ errorCode: 'INVALID_CREDENTIAL', httpCode: '403 Forbidden', message: `This credential is not valid: ${CK}` }))]);
    const err = await failure(provider(denied.fetch).listZones(signal()));
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('This credential is not valid') });
    expect(err.message).toContain('GET, POST, DELETE on /domain/zone/*');
    expect(err.message).not.toContain(CK);
    const gone = scriptedFetch([recordedAnswer(time), recordedAnswer(zones), answer(404, '{"class":"Client::NotFound","message":"This service does not exist"}')]);
    await expect(provider(gone.fetch).getRecords(ZONE, signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: expect.stringContaining('This service does not exist (Client::NotFound)') });
  });

  it('429 waits for Retry-After; a 5xx on a read backs off and retries, one on a create is not repeated', async () => {
    const { fetch, calls } = scriptedFetch([recordedAnswer(time), answer(429, '', { 'retry-after': '1' }), answer(502, ''), recordedAnswer(zones), answer(200, '[]'), answer(500, '{"message":"Internal server error"}')]);
    const err = await failure(provider(fetch).appendRecords(ZONE, [{ name: 'x', type: 'TXT', data: 'y', ttl: 60 }], signal()));
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(950);
    expect(calls).toHaveLength(6);
    expect(err).toMatchObject({ code: 'DNS_PROVIDER', retryable: true, message: expect.stringContaining('HTTP 500: Internal server error') });
  });
});
