import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes } from '../../../test/support/cassette.js';
import { replay, scriptedFetch, type ScriptedAnswer } from '../../../test/support/scripted-fetch.js';
import { DnsimpleClient } from './dnsimple-client.js';

const recorded = loadCassettes('dnsimple');
const TOKEN = 'dnsimple-token-0123456789';
const zone = { name: 'lexicontest.us' };
const signal = () => AbortSignal.timeout(10_000);
const client = (answers: ScriptedAnswer[], accountId?: string) => {
  const s = scriptedFetch(answers);
  return { c: new DnsimpleClient({ id: 'ds', token: TOKEN, apiUrl: 'https://api.sandbox.dnsimple.com/v2', fetch: s.fetch, ...(accountId ? { accountId } : {}) }), calls: s.calls };
};
const accounts = () => replay(findRecorded(recorded, { path: /\/v2\/accounts$/ }));

describe('DnsimpleClient on recorded answers', () => {
  it('takes the account from /accounts, then finds the domain by name_like (and not an unknown one)', async () => {
    const { c, calls } = client([accounts(), replay(findRecorded(recorded, { path: /domains$/, cassette: /authenticate$/ })), replay(findRecorded(recorded, { path: /domains$/, cassette: /unmanaged/ }))]);
    expect(await c.findZone('lexicontest.us', signal())).toEqual(zone);
    expect(await c.findZone('thisisadomainidonotown.com', signal())).toBeUndefined();
    expect(calls.map((x) => x.url)).toEqual([
      'https://api.sandbox.dnsimple.com/v2/accounts',
      'https://api.sandbox.dnsimple.com/v2/731/domains?name_like=lexicontest.us',
      'https://api.sandbox.dnsimple.com/v2/731/domains?name_like=thisisadomainidonotown.com',
    ]);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('lists the records of a name (a record set as several records) and the whole recorded zone', async () => {
    const two = recorded.find((i) => i.method === 'GET' && i.url.searchParams.get('name') === '_acme-challenge.listrecordset' && i.responseBody.includes('challengetoken2'))!;
    const all = findRecorded(recorded, { method: 'GET', path: /\/records$/, cassette: /no_arguments/ });
    const { c, calls } = client([replay(two), replay(all)], '731');
    const set = await c.list(zone, signal(), { name: '_acme-challenge.listrecordset.lexicontest.us', type: 'TXT' });
    expect(set.map((r) => [r.name, r.data, r.ttl])).toEqual([['_acme-challenge.listrecordset.lexicontest.us', 'challengetoken1', 3600], ['_acme-challenge.listrecordset.lexicontest.us', 'challengetoken2', 3600]]);
    expect(calls[0]!.url).toBe('https://api.sandbox.dnsimple.com/v2/731/zones/lexicontest.us/records?type=TXT&name=_acme-challenge.listrecordset');
    const zoneRecords = await c.list(zone, signal());
    expect(zoneRecords.filter((r) => r.type === 'NS').every((r) => r.name === 'lexicontest.us')).toBe(true);
    expect(zoneRecords.length).toBe(24);
  });

  it('creates with the recorded body fields and deletes by id (204; 404 means already gone)', async () => {
    const { c, calls } = client([replay(findRecorded(recorded, { method: 'POST' })), replay(findRecorded(recorded, { method: 'DELETE' })), { status: 404, body: '{"message":"Record `1` not found"}' }], '731');
    await c.create(zone, { name: 'delete.testfilt.lexicontest.us', type: 'TXT', data: 'challengetoken', ttl: 3600 }, signal());
    expect(JSON.parse(calls[0]!.body)).toEqual({ type: 'TXT', name: 'delete.testfilt', content: 'challengetoken', ttl: 3600 });
    const rec = { id: '502887', name: 'delete.testfilt.lexicontest.us', type: 'TXT', data: 'challengetoken', ttl: 3600 };
    expect(await c.remove(zone, rec, signal())).toBe(true);
    expect(await c.remove(zone, rec, signal())).toBe(false);
  });

  it('several accounts without account_id: a clear error naming them', async () => {
    const { c } = client([{ status: 200, body: '{"data":[{"id":1},{"id":2}]}' }]);
    await expect(c.findZone('lexicontest.us', signal())).rejects.toMatchObject({ code: 'DNS_PROVIDER', message: 'DNSimple provider ds: the token reaches 2 accounts (1, 2); set account_id to the one that has the zones' });
  });

  it('401 is DNS_AUTH naming the token; an echoed token is scrubbed; 429 and 5xx are waited out', async () => {
    const { c } = client([{ status: 401, body: `{"message":"Authentication failed for ${TOKEN}"}` }]);
    const err = await c.findZone('lexicontest.us', signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('it needs an account or user API token') });
    expect(err?.message).not.toContain(TOKEN);
    const slow = client([{ status: 429, body: '', headers: { 'retry-after': '1' } }, { status: 502, body: '' }, accounts(), replay(findRecorded(recorded, { path: /domains$/, cassette: /authenticate$/ }))]);
    expect(await slow.c.zones(signal())).toEqual(['lexicontest.us']);
    expect(slow.calls).toHaveLength(4);
  });

  it('a 404 on the zone is DNS_ZONE_NOT_FOUND', async () => {
    const { c } = client([{ status: 404, body: '{"message":"Zone `lexicontest.us` not found"}' }], '731');
    await expect(c.list(zone, signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });
});
