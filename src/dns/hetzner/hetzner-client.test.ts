import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes, recordedJson, type RecordedInteraction } from '../../../test/support/cassette.js';
import { failure, scriptedFetch, type Playable } from '../../../test/support/scripted-fetch.js';
import { describeTokenApiErrors } from '../../../test/support/token-api-errors.js';
import { HetznerClient } from './hetzner-client.js';
import { HetznerProvider } from './hetzner-provider.js';

const recorded = loadCassettes('hetzner');
const ZONE = 'devcoop.de';
const signal = () => AbortSignal.timeout(10_000);
const options = { id: 'hz', api: 'cloud' as const, apiToken: 'tok', apiUrl: 'https://api.hetzner.cloud/v1', actionPollMs: 1, maxRetries: 1 };
const zoneAnswer = findRecorded(recorded, { cassette: /^test_provider_authenticate$/ });
const zone = { id: 53091, name: ZONE, ttl: 86400 };

/** One recorded action from its POST to its last poll, in order. */
function recordedAction(cassette: RegExp, command: string): RecordedInteraction[] {
  const post = recorded.find((i) => cassette.test(i.cassette) && i.method !== 'GET' && i.responseBody.includes(`"${command}"`))!;
  const id = recordedJson<{ action: { id: number } }>(post).action.id;
  return [post, ...recorded.filter((i) => i.url.pathname === `/v1/zones/actions/${id}`)];
}

describe('Hetzner Cloud client, fed the recorded answers', () => {
  it('finds the recorded zone; the recorded 404 means there is none, and a provider says DNS_ZONE_NOT_FOUND', async () => {
    const notFound = findRecorded(recorded, { status: 404 });
    const c = new HetznerClient({ ...options, fetch: scriptedFetch([zoneAnswer, notFound]).fetch });
    expect(await c.zone(ZONE, signal())).toEqual(zone);
    expect(await c.zone('thisisadomainidonotown.com', signal())).toBeUndefined();
    const p = new HetznerProvider({ ...options, fetch: scriptedFetch([notFound, notFound]).fetch });
    expect(await failure(p.appendRecords('thisisadomainidonotown.com', [{ name: '_acme-challenge', type: 'TXT', data: 'x', ttl: 60 }], signal()))).toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
  });

  it('adds a value with the recorded request body and polls the recorded action until success', async () => {
    const action = recordedAction(/create_record_multiple_times/, 'add_rrset_records');
    const { fetch, calls } = scriptedFetch(action.slice(0, action.findIndex((i) => i.responseBody.includes('"success"')) + 1));
    await new HetznerClient({ ...options, fetch }).addRecords(zone, '_acme-challenge.createrecordset', 'TXT', 3600, ['"challengetoken1"'], signal());
    expect(calls[0]).toMatchObject({ method: 'POST', url: action[0]!.url.href });
    expect(JSON.parse(calls[0]!.body)).toEqual(recordedJson(action[0]!, 'request'));
    expect(calls.slice(1).every((c) => c.url.endsWith(`/zones/actions/${recordedJson<{ action: { id: number } }>(action[0]!).action.id}`))).toBe(true);
  });

  it('an action that ends in error fails with the API\'s reason', async () => {
    const [post] = recordedAction(/create_record_multiple_times/, 'add_rrset_records');
    const failed = JSON.stringify({ action: { ...recordedJson<{ action: object }>(post!).action, status: 'error', error: { code: 'action_failed', message: 'zone is locked' } } });
    const err = await failure(new HetznerClient({ ...options, fetch: scriptedFetch([post!, { status: 200, body: failed }]).fetch }).addRecords(zone, 'x', 'TXT', 60, ['"v"'], signal()));
    expect(err).toMatchObject({ code: 'DNS_PROVIDER', message: expect.stringMatching(/^Hetzner provider hz: action \d+ failed: action_failed: zone is locked$/) });
  });

  it('removes a value with the recorded request body, polling the recorded action', async () => {
    const action = recordedAction(/delete_record_by_filter_should_remove/, 'remove_rrset_records');
    const { fetch, calls } = scriptedFetch(action);
    await new HetznerClient({ ...options, fetch }).removeRecords(zone, 'delete.testfilt', 'TXT', ['"challengetoken"'], signal());
    expect(JSON.parse(calls[0]!.body)).toEqual(recordedJson(action[0]!, 'request'));
  });

  it('getRecords reads the recorded RRsets: TXT unquoted, a null TTL as the zone\'s', async () => {
    const list: Playable = findRecorded(recorded, { method: 'GET', path: /\/rrsets$/, cassette: /list_records_with_no_arguments/ });
    const p = new HetznerProvider({ ...options, fetch: scriptedFetch([zoneAnswer, list]).fetch });
    const records = await p.getRecords(ZONE, signal());
    expect(records).toContainEqual({ name: 'docs', type: 'CNAME', data: 'docs.example.com', ttl: 3600 });
    expect(records).toContainEqual({ name: '@', type: 'NS', data: 'hydrogen.ns.hetzner.com', ttl: 86400 });
    expect(records.filter((r) => r.name === '_acme-challenge.listrecordset')).toEqual([
      { name: '_acme-challenge.listrecordset', type: 'TXT', data: 'challengetoken1', ttl: 3600 },
      { name: '_acme-challenge.listrecordset', type: 'TXT', data: 'challengetoken2', ttl: 3600 },
    ]);
  });

  it('follows meta.pagination.next_page', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/rrsets$/, cassette: /list_records_with_no_arguments/ });
    const body = recordedJson<{ rrsets: unknown[]; meta: { pagination: object } }>(list);
    const page = (n: number, next: number | null) => ({ status: 200, body: JSON.stringify({ ...body, meta: { pagination: { ...body.meta.pagination, page: n, next_page: next } } }) });
    const { fetch, calls } = scriptedFetch([page(1, 2), page(2, null)]);
    expect(await new HetznerClient({ ...options, fetch }).rrsets(zone, signal())).toHaveLength(body.rrsets.length * 2);
    expect(calls.map((c) => new URL(c.url).search)).toEqual(['', '?page=2']);
  });
});

describeTokenApiErrors('Hetzner Cloud client', {
  call: (fetch, token) => new HetznerClient({ ...options, apiToken: token, fetch }).zone(ZONE, signal()),
  ok: zoneAnswer,
  permission: /^Hetzner provider hz: GET \/zones\/devcoop\.de: credentials refused \(HTTP 40[13].*\); the token needs Read & Write permission/,
});
