import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes } from '../../../test/support/cassette.js';
import { replay, scriptedFetch, type ScriptedAnswer } from '../../../test/support/scripted-fetch.js';
import { DesecClient, linkCursor } from './desec-client.js';

const recorded = loadCassettes('desec');
const TOKEN = 'desec-token-0123456789';
const zone = { name: 'desec.lexicon' };
const signal = () => AbortSignal.timeout(10_000);
const client = (answers: ScriptedAnswer[]) => {
  const s = scriptedFetch(answers);
  return { c: new DesecClient({ id: 'd', token: TOKEN, apiUrl: 'https://desec.io/api/v1', fetch: s.fetch }), calls: s.calls };
};

describe('DesecClient on recorded answers', () => {
  it('finds the domain (200) and not another (the recorded 404), sending Token auth', async () => {
    const { c, calls } = client([replay(findRecorded(recorded, { path: /^\/api\/v1\/domains\/desec\.lexicon\/$/ })), replay(findRecorded(recorded, { status: 404 }))]);
    expect(await c.findZone('desec.lexicon', signal())).toEqual({ name: 'desec.lexicon' });
    expect(await c.findZone('thisisadomainidonotown.com', signal())).toBeUndefined();
    expect(calls[0]).toMatchObject({ method: 'GET', url: 'https://desec.io/api/v1/domains/desec.lexicon/', headers: { authorization: `Token ${TOKEN}` } });
  });

  it('reads an RRset with several values (TXT unquoted) and an empty answer', async () => {
    const withTwo = recorded.find((i) => /delete_record_with_record_set_by_content/.test(i.cassette) && i.method === 'GET' && i.responseBody.includes('challengetoken2'))!;
    const { c, calls } = client([replay(withTwo), replay(findRecorded(recorded, { cassette: /invalid_filter/, path: /rrsets/ }))]);
    expect(await c.read(zone, '_acme-challenge.deleterecordinset.desec.lexicon', 'TXT', signal())).toEqual({
      name: '_acme-challenge.deleterecordinset.desec.lexicon', type: 'TXT', ttl: 3600, values: ['challengetoken2', 'challengetoken1'],
    });
    expect(calls[0]!.url).toBe('https://desec.io/api/v1/domains/desec.lexicon/rrsets/?type=TXT&subname=_acme-challenge.deleterecordinset');
    expect(await c.read(zone, 'filter.thisdoesnotexist.desec.lexicon', 'TXT', signal())).toBeUndefined();
  });

  it('lists every RRset of the recorded zone, host names without the trailing dot', async () => {
    const all = findRecorded(recorded, { method: 'GET', cassette: /list_records_with_no_arguments/, path: /rrsets\/\/?$/ });
    const { c } = client([replay(all)]);
    const sets = await c.list(zone, signal());
    expect(sets.length).toBe((JSON.parse(all.responseBody) as unknown[]).length);
    expect(sets).toContainEqual({ name: 'random.test.desec.lexicon', type: 'TXT', ttl: 3600, values: ['challengetoken'] });
    const cname = sets.find((s) => s.type === 'CNAME');
    expect(cname?.values).toEqual(['docs.example.com.desec.lexicon']);
  });

  it('creates with POST and changes with PATCH, in the recorded body fields', async () => {
    const { c, calls } = client([replay(findRecorded(recorded, { method: 'POST' })), replay(findRecorded(recorded, { method: 'PATCH', status: 204 }))]);
    await c.write(zone, { name: '_acme-challenge.x.desec.lexicon', type: 'TXT', ttl: 3600, values: ['a "b"'] }, false, signal());
    await c.write(zone, { name: 'desec.lexicon', type: 'TXT', ttl: 3600, values: [] }, true, signal());
    expect(calls.map((x) => `${x.method} ${x.url} ${x.body}`)).toEqual([
      'POST https://desec.io/api/v1/domains/desec.lexicon/rrsets/ {"subname":"_acme-challenge.x","type":"TXT","ttl":3600,"records":["\\"a \\\\\\"b\\\\\\"\\""]}',
      'PATCH https://desec.io/api/v1/domains/desec.lexicon/rrsets/%40/TXT/ {"records":[],"ttl":3600}',
    ]);
  });

  it('401 is DNS_AUTH naming what the token needs; an echoed token is scrubbed', async () => {
    const { c } = client([{ status: 401, body: `{"detail":"Invalid token ${TOKEN}."}` }]);
    const err = await c.read(zone, 'x.desec.lexicon', 'TXT', signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('the token needs the domain') });
    expect(err?.message).not.toContain(TOKEN);
  });

  it('honours Retry-After on 429 and backs off on 5xx for reads, then parses the recorded answer', async () => {
    const ok = replay(findRecorded(recorded, { cassette: /invalid_filter/, path: /rrsets/ }));
    const { c, calls } = client([{ status: 429, body: '{"detail":"Request was throttled. Expected available in 1 second."}', headers: { 'retry-after': '1' } }, { status: 502, body: '' }, ok]);
    expect(await c.read(zone, 'x.desec.lexicon', 'TXT', signal())).toBeUndefined();
    expect(calls).toHaveLength(3);
  });

  it('a 404 on the domain while writing is DNS_ZONE_NOT_FOUND', async () => {
    const { c } = client([replay(findRecorded(recorded, { status: 404 }))]);
    await expect(c.write(zone, { name: 'x.desec.lexicon', type: 'TXT', ttl: 3600, values: ['v'] }, false, signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });

  it('reads the cursor of the first and the next page from a Link header', () => {
    const link = '<https://desec.io/api/v1/domains/d/rrsets/?cursor=>; rel="first", <https://desec.io/api/v1/domains/d/rrsets/?cursor=abc>; rel="next"';
    expect(linkCursor(link, 'first')).toBe('');
    expect(linkCursor(link, 'next')).toBe('abc');
    expect(linkCursor(null, 'next')).toBeUndefined();
  });
});
