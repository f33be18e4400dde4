import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes, recordedJson } from '../../../test/support/cassette.js';
import { buildAndThinRecordedSet } from '../../../test/support/record-set-survival.js';
import { answer, failure, recordedAnswer, replayFetch, scriptedFetch } from '../../../test/support/scripted-fetch.js';
import { unquoteTxt } from '../txt-presentation.js';
import { GandiProvider } from './gandi-provider.js';

const recorded = loadCassettes('gandi/REST-IntegrationTests');
const API = 'https://api.gandi.net/v5/livedns';
const ZONE = 't18s.fr';
const PAT = 'pat_0123456789abcdef';
const signal = () => AbortSignal.timeout(10_000);
const provider = (fetch: ReturnType<typeof scriptedFetch>['fetch'], auth: { personalAccessToken?: string; apiKey?: string } = { personalAccessToken: PAT }) => new GandiProvider({ id: 'gandi', apiUrl: API, fetch, ...auth });
const domain = findRecorded(recorded, { method: 'GET', path: /\/domains\/t18s\.fr$/ });
type Body = { rrset_values: string[]; rrset_ttl?: number };

describe('GandiProvider on the recorded answers', () => {
  it('a record set built and thinned as lexicon recorded it: the same requests in the same order, the TTL kept', async () => {
    const tape = recorded.filter((i) => /delete_record_with_record_set_by_content/.test(i.cassette));
    const { fetch, calls } = replayFetch(tape);
    await buildAndThinRecordedSet(provider(fetch), ZONE, signal());
    // Lexicon read the name once more at the end, to check.
    const expected = tape.slice(0, -1);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(expected.map((i) => `${i.method} ${i.url.href}`));
    expect(calls.every((c) => c.headers.authorization === `Bearer ${PAT}`)).toBe(true);
    for (const [n, c] of calls.entries()) {
      if (c.method !== 'POST' && c.method !== 'PUT') continue;
      const sent = JSON.parse(c.body) as Body;
      const want = recordedJson<Body>(expected[n]!, 'request');
      // Values go quoted (LiveDNS stores TXT quoted, as its answers show); the texts are lexicon's.
      expect(sent.rrset_values.map(unquoteTxt)).toEqual(want.rrset_values);
      // Lexicon's last PUT had no TTL and the recorded answer shows it reset to 10800: ours keeps the set's.
      expect(sent.rrset_ttl).toBe(3600);
    }
  });

  it('the last value of a recorded set: the RRset is deleted (204)', async () => {
    const tape = recorded.filter((i) => /delete_record_with_record_set_name_remove_all/.test(i.cassette));
    const { fetch, calls } = replayFetch(tape);
    const p = provider(fetch, { apiKey: 'key-0123456789' });
    const one = { name: '_acme-challenge.deleterecordset', type: 'TXT', data: 'challengetoken1', ttl: 3600 };
    const two = { ...one, data: 'challengetoken2' };
    await p.appendRecords(ZONE, [one], signal());
    await p.appendRecords(ZONE, [two], signal());
    expect(calls[0]!.headers.authorization).toBe('Apikey key-0123456789');
    const read = recordedAnswer(tape.filter((i) => i.method === 'GET' && i.status === 200 && i.url.pathname.includes('/records/'))[1]!);
    const del = scriptedFetch([recordedAnswer(domain), read, recordedAnswer(findRecorded(tape, { method: 'DELETE' }))]);
    expect(await provider(del.fetch).deleteRecords(ZONE, [one, two], signal())).toEqual([one, two]);
    expect(del.calls.map((c) => c.method)).toEqual(['GET', 'GET', 'DELETE']);
  });

  it('reads the recorded zone listing: the apex as @, TXT unquoted, one record per value', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/records$/ });
    const { fetch } = scriptedFetch([recordedAnswer(domain), recordedAnswer(list)]);
    const records = await provider(fetch).getRecords(ZONE, signal());
    expect(records).toEqual(expect.arrayContaining([
      { name: '@', type: 'A', ttl: 600, data: '82.64.93.53' },
      { name: 'docs', type: 'CNAME', ttl: 3600, data: 'docs.example.com' },
      { name: 'random.test', type: 'TXT', ttl: 3600, data: 'challengetoken' },
    ]));
    expect(records.length).toBeGreaterThanOrEqual(recordedJson<unknown[]>(list).length);
  });

  it('the recorded unmanaged domain (404 HTTPNotFound): DNS_ZONE_NOT_FOUND, without asking about the TLD', async () => {
    const notOwned = findRecorded(recorded, { cassette: /unmanaged/ });
    const { fetch, calls } = scriptedFetch([recordedAnswer(notOwned)]);
    await expect(provider(fetch).appendRecords('thisisadomainidonotown.com', [{ name: '_acme-challenge', type: 'TXT', data: 'x', ttl: 300 }], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
    expect(calls.map((c) => c.url)).toEqual([`${API}/domains/thisisadomainidonotown.com`]);
  });

  it('403 is DNS_AUTH naming the permission, the token scrubbed when echoed; 429 waits for Retry-After; a 5xx read is retried, a 5xx create is not', async () => {
    const denied = scriptedFetch([answer(403, JSON.stringify({ code: 403, message: `Access was denied for ${PAT}`, object: 'HTTPForbidden', cause: 'Forbidden' }))]);
    const err = await failure(provider(denied.fetch).listZones(signal()));
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('Manage domain name technical configurations') });
    expect(err.message).not.toContain(PAT);
    const missing = findRecorded(recorded, { method: 'GET', status: 404, path: /\/records\// });
    const busy = scriptedFetch([answer(429, '', { 'retry-after': '1' }), answer(503, ''), recordedAnswer(domain), recordedAnswer(missing), answer(500, '{"code":500,"message":"Internal Server Error","object":"HTTPInternalServerError","cause":"Internal Server Error"}')]);
    const e2 = await failure(provider(busy.fetch).appendRecords(ZONE, [{ name: 'x', type: 'TXT', data: 'y', ttl: 300 }], signal()));
    expect(busy.calls[1]!.at - busy.calls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(e2).toMatchObject({ code: 'DNS_PROVIDER', retryable: true, message: expect.stringContaining('POST /domains/t18s.fr/records/x/TXT: HTTP 500: Internal Server Error') });
    expect(busy.calls).toHaveLength(5);
  });
});
