import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes } from '../../../test/support/cassette.js';
import { scriptedFetch, type ScriptedAnswer } from '../../../test/support/scripted-fetch.js';
import { AzureProvider } from './azure-provider.js';

const recorded = loadCassettes('azure');
const SECRET = 'CLIENT_SECRET_value~0123456789';
const signal = () => AbortSignal.timeout(10_000);
const answer = (i: { status: number; responseBody: string }): ScriptedAnswer => ({ status: i.status, body: i.responseBody, headers: { 'content-type': 'application/json' } });
const token = answer(findRecorded(recorded, { path: /oauth2\/token$/ }));
const zones = answer(findRecorded(recorded, { path: /dnsZones$/ }));

function provider(answers: ScriptedAnswer[]) {
  const scripted = scriptedFetch(answers);
  return {
    ...scripted,
    p: new AzureProvider({
      id: 'az', subscriptionId: 'SUBSCRIPTION_ID', resourceGroup: 'dns-test', env: {}, fetch: scripted.fetch,
      auth: { kind: 'client_secret', tenantId: 'TENANT_ID', clientId: 'CLIENT_ID', clientSecret: SECRET },
    }),
  };
}

async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  return p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error);
}

describe('AzureProvider on the recorded answers', () => {
  it('asks for the token as recorded, then lists the resource group\'s zones with it', async () => {
    const { p, calls } = provider([token, zones]);
    expect(await p.listZones(signal())).toEqual(['full4ir.tk']);
    expect(calls[0]).toMatchObject({ method: 'POST', url: 'https://login.microsoftonline.com/TENANT_ID/oauth2/token' });
    expect(Object.fromEntries(new URLSearchParams(calls[0]!.body))).toEqual(Object.fromEntries(new URLSearchParams(findRecorded(recorded, { path: /oauth2\/token$/ }).requestBody.replace('CLIENT_SECRET', encodeURIComponent(SECRET)))));
    expect(calls[1]).toMatchObject({ url: 'https://management.azure.com/subscriptions/SUBSCRIPTION_ID/resourceGroups/dns-test/providers/Microsoft.Network/dnsZones?api-version=2018-05-01', headers: { authorization: 'Bearer TOKEN' } });
  });

  it('reads the recorded record sets: NS at @, CNAME, TXT sets with several values', async () => {
    const all = findRecorded(recorded, { path: /\/recordsets$/ });
    const { p } = provider([token, zones, answer(all)]);
    const got = await p.getRecords('full4ir.tk', signal());
    expect(got.filter((r) => r.type === 'NS').map((r) => r.data)).toEqual(['ns1-05.azure-dns.com', 'ns2-05.azure-dns.net', 'ns3-05.azure-dns.org', 'ns4-05.azure-dns.info']);
    expect(got.filter((r) => r.type === 'NS').map((r) => r.name)).toEqual(['@', '@', '@', '@']);
    expect(got).toContainEqual({ name: 'docs', type: 'CNAME', data: 'docs.example.com', ttl: 3600 });
    expect(got.filter((r) => r.name === '_acme-challenge.createrecordset')).toEqual([
      { name: '_acme-challenge.createrecordset', type: 'TXT', data: 'challengetoken1', ttl: 3600 },
      { name: '_acme-challenge.createrecordset', type: 'TXT', data: 'challengetoken2', ttl: 3600 },
    ]);
    expect(got.some((r) => r.type === 'SOA')).toBe(false);
  });

  it('append to a recorded set with two values: one PUT of all three, over the recorded etag, TTL kept', async () => {
    const txt = findRecorded(recorded, { method: 'GET', path: /\/TXT$/, cassette: /leave_others_untouched/ });
    const put = findRecorded(recorded, { method: 'PUT', status: 200 });
    const { p, calls } = provider([token, zones, answer(txt), answer(put)]);
    const rec = { name: '_acme-challenge.createrecordset', type: 'TXT', data: 'three', ttl: 60 };
    expect(await p.appendRecords('full4ir.tk', [rec], signal())).toEqual([rec]);
    expect(calls[3]).toMatchObject({ method: 'PUT', headers: { 'if-match': 'a7d3b7b0-babb-4a30-99c4-8cd147202318' } });
    expect(JSON.parse(calls[3]!.body)).toEqual({ properties: { TTL: 3600, TXTRecords: [{ value: ['challengetoken1'] }, { value: ['challengetoken2'] }, { value: ['three'] }] } });
    // A value already there is neither written nor returned.
    const again = provider([token, zones, answer(txt)]);
    expect(await again.p.appendRecords('full4ir.tk', [{ ...rec, data: 'challengetoken1' }], signal())).toEqual([]);
    expect(again.calls).toHaveLength(3);
  });

  it('deleting the last value deletes the set (DELETE over its etag)', async () => {
    const txt = findRecorded(recorded, { method: 'GET', path: /\/TXT$/, cassette: /leave_others_untouched/ });
    const del = findRecorded(recorded, { method: 'DELETE' });
    const { p, calls } = provider([token, zones, answer(txt), answer(del)]);
    const rec = { name: '_acme-challenge.fqdn', type: 'TXT', data: 'challengetoken', ttl: 60 };
    expect(await p.deleteRecords('full4ir.tk', [rec], signal())).toEqual([rec]);
    expect(calls[3]).toMatchObject({ method: 'DELETE', url: expect.stringContaining('/dnszones/full4ir.tk/TXT/_acme-challenge.fqdn?api-version=2018-05-01'), headers: { 'if-match': '99f7f257-2cb7-4a6b-8f3e-eb15a7aa5390' } });
  });

  it('403 names the role and the API\'s missing action; 404 zone is DNS_ZONE_NOT_FOUND; an echoed secret is scrubbed', async () => {
    const forbidden: ScriptedAnswer = { status: 403, body: JSON.stringify({ error: { code: 'AuthorizationFailed', message: `The client 'CLIENT_ID' does not have authorization to perform action 'Microsoft.Network/dnszones/TXT/write' (secret ${SECRET})` } }) };
    const txt = findRecorded(recorded, { method: 'GET', path: /\/TXT$/ });
    const err = await failure(provider([token, zones, answer(txt), forbidden]).p.appendRecords('full4ir.tk', [{ name: '_acme-challenge.x', type: 'TXT', data: 'v', ttl: 60 }], signal()));
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining("AuthorizationFailed: The client 'CLIENT_ID' does not have authorization to perform action 'Microsoft.Network/dnszones/TXT/write'") });
    expect(err.message).toContain('the identity needs the "DNS Zone Contributor" role');
    expect(err.message).not.toContain(SECRET);
    const gone: ScriptedAnswer = { status: 404, body: JSON.stringify({ error: { code: 'ResourceNotFound', message: "The Resource 'Microsoft.Network/dnszones/full4ir.tk' under resource group 'dns-test' was not found." } }) };
    await expect(provider([token, zones, gone]).p.getRecords('full4ir.tk', signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });

  it('a 5xx on a GET backs off and retries; nextLink pages are followed on the same host only', async () => {
    const two = JSON.parse(zones.body) as { value: unknown[] };
    const first: ScriptedAnswer = { status: 200, body: JSON.stringify({ value: [], nextLink: 'https://management.azure.com/subscriptions/SUBSCRIPTION_ID/resourceGroups/dns-test/providers/Microsoft.Network/dnsZones?api-version=2018-05-01&$skipToken=abc' }) };
    const { p, calls } = provider([token, { status: 503, body: '' }, first, { status: 200, body: JSON.stringify(two) }]);
    expect(await p.listZones(signal())).toEqual(['full4ir.tk']);
    expect(calls.map((c) => new URL(c.url).search)).toEqual(['', '?api-version=2018-05-01', '?api-version=2018-05-01', '?api-version=2018-05-01&$skipToken=abc']);
    const elsewhere: ScriptedAnswer = { status: 200, body: JSON.stringify({ value: [], nextLink: 'https://attacker.example/steal' }) };
    await expect(provider([token, elsewhere]).p.listZones(signal())).rejects.toMatchObject({ code: 'DNS_PROVIDER', message: expect.stringContaining('nextLink points to https://attacker.example') });
  });
});
