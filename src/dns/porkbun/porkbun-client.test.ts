import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes } from '../../../test/support/cassette.js';
import { replay, scriptedFetch, type ScriptedAnswer } from '../../../test/support/scripted-fetch.js';
import { PorkbunClient } from './porkbun-client.js';

const recorded = loadCassettes('porkbun');
const KEY = 'pk1_0123456789abcdef';
const SECRET = 'sk1_fedcba9876543210';
const zone = { name: 'example.xyz', minTtl: 600 };
const signal = () => AbortSignal.timeout(10_000);
const client = (answers: ScriptedAnswer[]) => {
  const s = scriptedFetch(answers);
  return { c: new PorkbunClient({ id: 'pb', apiKey: KEY, secretApiKey: SECRET, apiUrl: 'https://api.porkbun.com/api/json/v3', fetch: s.fetch }), calls: s.calls };
};
const retrieve = (cassette: RegExp) => findRecorded(recorded, { path: /\/dns\/retrieve\/example\.xyz$/, cassette });

describe('PorkbunClient on recorded answers', () => {
  it('finds the domain, and not another (the recorded 400 "Invalid domain."), keys in the body', async () => {
    const { c, calls } = client([replay(retrieve(/authenticate$/)), replay(findRecorded(recorded, { status: 400 }))]);
    expect(await c.findZone('example.xyz', signal())).toEqual(zone);
    expect(await c.findZone('thisisadomainidonotown.com', signal())).toBeUndefined();
    expect(JSON.parse(calls[0]!.body)).toEqual({ apikey: KEY, secretapikey: SECRET });
    expect(calls[0]!.headers.authorization).toBeUndefined();
  });

  it('lists the recorded records: absolute names, string TTLs as numbers, a record set as several records', async () => {
    const last = recorded.filter((i) => /list_records_should_handle_record_sets/.test(i.cassette) && i.url.pathname.includes('/dns/retrieve/')).at(-1)!;
    const { c } = client([replay(last)]);
    const records = await c.list(zone, signal());
    expect(records.filter((r) => r.name === '_acme-challenge.listrecordset.example.xyz').map((r) => r.data).sort()).toEqual(['challengetoken1', 'challengetoken2']);
    expect(records.find((r) => r.type === 'A' && r.name === 'example.xyz')).toMatchObject({ data: '8.8.8.8', ttl: 600 });
  });

  it('creates and deletes in the recorded paths and body fields', async () => {
    const create = findRecorded(recorded, { path: /\/dns\/create\//, cassette: /TXT_with_valid_name/ });
    const { c, calls } = client([replay(create), replay(findRecorded(recorded, { path: /\/dns\/delete\// }))]);
    await c.create(zone, { name: '_acme-challenge.test.example.xyz', type: 'TXT', data: 'challengetoken', ttl: 3600 }, signal());
    expect(await c.remove(zone, { id: '432480932', name: 'delete.testfilt.example.xyz', type: 'TXT', data: 'challengetoken', ttl: 3600 }, signal())).toBe(true);
    expect(JSON.parse(calls[0]!.body)).toEqual({ apikey: KEY, secretapikey: SECRET, ...JSON.parse(create.requestBody) as object });
    expect(calls[1]!.url).toBe('https://api.porkbun.com/api/json/v3/dns/delete/example.xyz/432480932');
  });

  it('"Invalid API key" (HTTP 400) is DNS_AUTH naming API ACCESS; an echoed key is scrubbed', async () => {
    const { c } = client([{ status: 400, body: `{"status":"ERROR","message":"Invalid API key. (002) ${KEY} ${SECRET}"}` }]);
    const err = await c.list(zone, signal()).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('turn on "API ACCESS"') });
    expect(err?.message).not.toMatch(new RegExp(`${KEY}|${SECRET}`));
  });

  it('repeats a read after a 503 and a 429 with Retry-After, but never a create', async () => {
    const { c, calls } = client([{ status: 503, body: '<html>503 Service Temporarily Unavailable</html>' }, { status: 429, body: '', headers: { 'retry-after': '1' } }, replay(retrieve(/authenticate$/))]);
    expect((await c.list(zone, signal())).length).toBeGreaterThan(0);
    expect(calls).toHaveLength(3);
    const w = client([{ status: 503, body: '<html>503 Service Temporarily Unavailable</html>' }]);
    await expect(w.c.create(zone, { name: 'x.example.xyz', type: 'TXT', data: 'v', ttl: 600 }, signal())).rejects.toMatchObject({ code: 'DNS_PROVIDER', retryable: true });
    expect(w.calls).toHaveLength(1);
  });

  it('another 400 is a plain DNS_PROVIDER error with Porkbun\'s message', async () => {
    const { c } = client([{ status: 400, body: '{"status":"ERROR","message":"Create error: We were unable to create the DNS record."}' }]);
    await expect(c.create(zone, { name: 'x.example.xyz', type: 'TXT', data: 'v', ttl: 600 }, signal())).rejects.toMatchObject({ code: 'DNS_PROVIDER', message: expect.stringContaining('HTTP 400: Create error: We were unable to create the DNS record.') });
  });
});
