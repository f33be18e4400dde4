import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes } from '../../../test/support/cassette.js';
import { replay, scriptedFetch, type ScriptedAnswer } from '../../../test/support/scripted-fetch.js';
import { InfomaniakClient } from './infomaniak-client.js';

const recorded = loadCassettes('infomaniak');
const TOKEN = 'ik-token-0123456789abcdef';
const zone = { name: 'testouille.at', productId: 890190 };
const signal = () => AbortSignal.timeout(10_000);
const client = (answers: ScriptedAnswer[]) => {
  const s = scriptedFetch(answers);
  return { c: new InfomaniakClient({ id: 'ik', token: TOKEN, apiUrl: 'https://api.infomaniak.com', fetch: s.fetch }), calls: s.calls };
};

describe('InfomaniakClient on recorded answers', () => {
  it('finds the domain product by name (and not an unknown one), with Bearer auth', async () => {
    const { c, calls } = client([replay(findRecorded(recorded, { path: /\/1\/product$/, cassette: /authenticate$/ })), replay(findRecorded(recorded, { path: /\/1\/product$/, cassette: /unmanaged/ }))]);
    expect(await c.findZone('testouille.at', signal())).toEqual(zone);
    expect(await c.findZone('thisisadomainidonotown.com', signal())).toBeUndefined();
    expect(calls[0]).toMatchObject({ url: 'https://api.infomaniak.com/1/product?service_name=domain&customer_name=testouille.at', headers: { authorization: `Bearer ${TOKEN}` } });
  });

  it('lists the recorded records: absolute names from source_idn, a record set as several records', async () => {
    const { c } = client([replay(findRecorded(recorded, { method: 'GET', path: /dns\/record$/, cassette: /no_arguments/ }))]);
    const records = await c.list(zone, signal());
    expect(records).toContainEqual({ id: '10041035', name: 'localhost.testouille.at', type: 'A', ttl: 3600, data: '127.0.0.1' });
    expect(records.filter((r) => r.name === '_acme-challenge.listrecordset.testouille.at').map((r) => r.data).sort()).toEqual(['challengetoken1', 'challengetoken2']);
  });

  it('creates with the recorded body fields and deletes by id', async () => {
    const post = findRecorded(recorded, { method: 'POST', cassette: /TXT_with_valid_name/ });
    const { c, calls } = client([replay(post), replay(findRecorded(recorded, { method: 'DELETE' })), { status: 404, body: '{"result":"error","error":{"code":"not_found","description":"Object not found"}}' }]);
    await c.create(zone, { name: '_acme-challenge.test.testouille.at', type: 'TXT', data: 'challengetoken', ttl: 3600 }, signal());
    expect(JSON.parse(calls[0]!.body)).toEqual(JSON.parse(post.requestBody));
    const rec = { id: '10041043', name: 'delete.testfilt.testouille.at', type: 'TXT', data: 'challengetoken', ttl: 3600 };
    expect(await c.remove(zone, rec, signal())).toBe(true);
    expect(calls[1]!.url).toBe('https://api.infomaniak.com/1/domain/890190/dns/record/10041043');
    expect(await c.remove(zone, rec, signal())).toBe(false);
  });

  it('401 is DNS_AUTH with the API\'s description and the scope it needs; an echoed token is scrubbed', async () => {
    const { c } = client([{ status: 401, body: `{"result":"error","error":{"code":"not_authorized","description":"Bearer ${TOKEN} is not authorized"}}` }]);
    const err = await c.list(zone, signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('the "domain" scope') });
    expect(err?.message).not.toContain(TOKEN);
  });

  it('honours Retry-After on 429 and backs off on 5xx, then parses the recorded answer', async () => {
    const ok = replay(findRecorded(recorded, { path: /\/1\/product$/, cassette: /unmanaged/ }));
    const { c, calls } = client([{ status: 429, body: '', headers: { 'retry-after': '1' } }, { status: 503, body: '' }, ok]);
    expect(await c.zones(signal())).toEqual([]);
    expect(calls).toHaveLength(3);
  });

  it('a 404 on the domain is DNS_ZONE_NOT_FOUND', async () => {
    const { c } = client([{ status: 404, body: '{"result":"error","error":{"code":"not_found","description":"Object not found"}}' }]);
    await expect(c.list(zone, signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });
});
