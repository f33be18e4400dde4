import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes } from '../../../test/support/cassette.js';
import { replay, scriptedFetch, type ScriptedAnswer } from '../../../test/support/scripted-fetch.js';
import { GodaddyClient } from './godaddy-client.js';

const recorded = loadCassettes('godaddy');
const KEY = 'gd-key-0123456789';
const SECRET = 'gd-secret-abcdef012345';
const zone = { name: 'fullm3tal.online', minTtl: 600 };
const signal = () => AbortSignal.timeout(10_000);
const client = (answers: ScriptedAnswer[]) => {
  const s = scriptedFetch(answers);
  return { c: new GodaddyClient({ id: 'gd', apiKey: KEY, apiSecret: SECRET, apiUrl: 'https://api.godaddy.com/v1', fetch: s.fetch }), calls: s.calls };
};

describe('GodaddyClient on recorded answers', () => {
  it('finds the domain (200) and not another (the recorded 404), sending sso-key auth', async () => {
    const { c, calls } = client([replay(findRecorded(recorded, { path: /^\/v1\/domains\/fullm3tal\.online$/ })), replay(findRecorded(recorded, { status: 404 }))]);
    expect(await c.findZone('fullm3tal.online', signal())).toEqual(zone);
    expect(await c.findZone('thisisadomainidonotown.com', signal())).toBeUndefined();
    expect(calls[0]!.headers.authorization).toBe(`sso-key ${KEY}:${SECRET}`);
  });

  it('reads a type and name with several values, and an empty one', async () => {
    const two = recorded.find((i) => i.method === 'GET' && /records\/TXT\/_acme-challenge\.listrecordset$/.test(i.url.pathname) && i.responseBody.includes('challengetoken2'))!;
    const { c, calls } = client([replay(two), replay(findRecorded(recorded, { method: 'GET', path: /filter\.thisdoesnotexist$/ }))]);
    expect(await c.read(zone, '_acme-challenge.listrecordset.fullm3tal.online', 'TXT', signal())).toEqual({ name: '_acme-challenge.listrecordset.fullm3tal.online', type: 'TXT', ttl: 3600, values: ['challengetoken1', 'challengetoken2'] });
    expect(calls[0]!.url).toBe('https://api.godaddy.com/v1/domains/fullm3tal.online/records/TXT/_acme-challenge.listrecordset');
    expect(await c.read(zone, 'filter.thisdoesnotexist.fullm3tal.online', 'TXT', signal())).toBeUndefined();
  });

  it('lists the recorded zone: apex records under the apex name, several values grouped', async () => {
    const { c } = client([replay(findRecorded(recorded, { method: 'GET', path: /\/records$/, cassette: /list_records_with_no_arguments/ }))]);
    const sets = await c.list(zone, signal());
    expect(sets.find((s) => s.name === 'fullm3tal.online' && s.type === 'A')?.values).toEqual(['15.197.142.173', '3.33.152.147']);
    expect(sets).toContainEqual({ name: 'random.test.fullm3tal.online', type: 'TXT', ttl: 3600, values: ['challengetoken'] });
  });

  it('replaces a set with PUT in the recorded body fields, and deletes an emptied one', async () => {
    const put = findRecorded(recorded, { method: 'PUT', path: /records\/TXT\/_acme-challenge\.test$/ });
    const { c, calls } = client([replay(put), { status: 204, body: '' }]);
    await c.write(zone, { name: '_acme-challenge.test.fullm3tal.online', type: 'TXT', ttl: 3600, values: ['challengetoken'] }, false, signal());
    await c.write(zone, { name: 'fullm3tal.online', type: 'TXT', ttl: 600, values: [] }, true, signal());
    expect(JSON.parse(calls[0]!.body)).toEqual(JSON.parse(put.requestBody));
    expect(`${calls[1]!.method} ${calls[1]!.url}`).toBe('DELETE https://api.godaddy.com/v1/domains/fullm3tal.online/records/TXT/%40');
  });

  it('403 is DNS_AUTH with GoDaddy\'s message and what the key needs; an echoed secret is scrubbed', async () => {
    const { c } = client([{ status: 403, body: `{"code":"ACCESS_DENIED","message":"Authenticated user is not allowed access (sso-key ${KEY}:${SECRET})"}` }]);
    const err = await c.list(zone, signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('ACCESS_DENIED: Authenticated user is not allowed access') });
    expect(err?.message).toContain('it needs a production API key');
    expect(err?.message).not.toMatch(new RegExp(`${KEY}|${SECRET}`));
  });

  it('honours Retry-After on 429 and backs off on 5xx, then parses the recorded answer', async () => {
    const ok = replay(findRecorded(recorded, { method: 'GET', path: /filter\.thisdoesnotexist$/ }));
    const { c, calls } = client([{ status: 429, body: '{"code":"TOO_MANY_REQUESTS","retryAfterSec":1}', headers: { 'retry-after': '1' } }, { status: 500, body: '' }, ok]);
    expect(await c.read(zone, 'filter.thisdoesnotexist.fullm3tal.online', 'TXT', signal())).toBeUndefined();
    expect(calls).toHaveLength(3);
  });

  it('a 404 on the domain while reading records is DNS_ZONE_NOT_FOUND', async () => {
    const { c } = client([replay(findRecorded(recorded, { status: 404 }))]);
    await expect(c.list(zone, signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });
});
