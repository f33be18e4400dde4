import { describe, expect, it } from 'vitest';
import { findRecorded, loadCassettes } from '../../../test/support/cassette.js';
import { bodyKeys } from '../../../test/support/recorded-shapes.js';
import { scriptedFetch, type ScriptedAnswer } from '../../../test/support/scripted-fetch.js';
import { Route53Client, type HostedZone } from './route53-client.js';
import { AwsCredentialChain } from './route53-credentials.js';

const recorded = loadCassettes('route53');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const signal = () => AbortSignal.timeout(10_000);
const zone: HostedZone = { id: 'Z040120927RX9CM38HPQQ', name: 'fullcr1stal.tk', private: false };
const answer = (i: { status: number; responseBody: string }): ScriptedAnswer => ({ status: i.status, body: i.responseBody, headers: { 'content-type': 'text/xml' } });
const awsError = (status: number, code: string, message: string): ScriptedAnswer => ({ status, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>` });

function client(answers: ScriptedAnswer[]) {
  const scripted = scriptedFetch(answers);
  const creds = new AwsCredentialChain({ label: 'Route 53 provider r53', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET, env: {}, home: '/nonexistent' });
  return { ...scripted, client: new Route53Client('Route 53 provider r53', 'https://route53.amazonaws.com', creds, scripted.fetch) };
}

async function failure(p: Promise<unknown>): Promise<Error & { code?: string; retryable?: boolean }> {
  return p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error);
}

describe('Route53Client on the recorded answers', () => {
  it('parses ListHostedZonesByName as recorded: id without /hostedzone/, name without the dot, private flag', async () => {
    const { client: c, calls } = client([answer(findRecorded(recorded, { path: /hostedzonesbyname$/ }))]);
    expect(await c.listHostedZones(signal())).toEqual([zone]);
    expect(calls[0]).toMatchObject({ method: 'GET', url: 'https://route53.amazonaws.com/2013-04-01/hostedzonesbyname' });
    expect(calls[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/route53\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*x-amz-date, Signature=[0-9a-f]{64}$/);
  });

  it('parses ListResourceRecordSets as recorded: several values per set, TXT quoted, entities decoded', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/rrset$/, cassette: /create_record_multiple_times/ });
    const sets = await client([answer(list)]).client.listRecordSets(zone, signal());
    expect(sets.find((s) => s.type === 'NS')).toEqual({ name: 'fullcr1stal.tk', type: 'NS', ttl: 172800, special: false, values: ['ns-831.awsdns-39.net.', 'ns-422.awsdns-52.com.', 'ns-1983.awsdns-55.co.uk.', 'ns-1283.awsdns-32.org.'] });
    expect(sets.find((s) => s.name === '_acme-challenge.fqdn.fullcr1stal.tk')).toEqual({ name: '_acme-challenge.fqdn.fullcr1stal.tk', type: 'TXT', ttl: 3600, special: false, values: ['"challengetoken"'] });
    expect(sets).toHaveLength(8);
  });

  it('follows IsTruncated with NextRecordName/NextRecordType as AWS documents', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/rrset$/ });
    const truncated = list.responseBody.replace('<IsTruncated>false</IsTruncated>', '<IsTruncated>true</IsTruncated><NextRecordName>\\052.fullcr1stal.tk.</NextRecordName><NextRecordType>TXT</NextRecordType>');
    const last = '<?xml version="1.0"?>\n<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets><ResourceRecordSet><Name>\\052.fullcr1stal.tk.</Name><Type>TXT</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>"w"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListResourceRecordSetsResponse>';
    const { client: c, calls } = client([{ status: 200, body: truncated }, { status: 200, body: last }]);
    const sets = await c.listRecordSets(zone, signal());
    expect(sets.at(-1)).toMatchObject({ name: '*.fullcr1stal.tk', values: ['"w"'] });
    expect(new URL(calls[1]!.url).search).toBe('?name=%5C052.fullcr1stal.tk.&type=TXT');
  });

  it('sends a ChangeBatch with only the element names the recordings show', async () => {
    const ok = findRecorded(recorded, { method: 'POST', status: 200 });
    const { client: c, calls } = client([answer(ok)]);
    await c.changeRecordSets(zone, [{ action: 'UPSERT', set: { name: '_acme-challenge.x.fullcr1stal.tk', type: 'TXT', ttl: 60, values: ['"a<b&c"'] } }], signal());
    const recordedKeys = new Set(recorded.filter((r) => r.method === 'POST').flatMap((r) => bodyKeys(r.requestBody, undefined) ?? []));
    expect((bodyKeys(calls[0]!.body, undefined) ?? []).filter((k) => !recordedKeys.has(k) && k !== 'xml')).toEqual([]);
    expect(calls[0]!.body).toContain('<Value>"a&lt;b&amp;c"</Value>');
  });

  it('the recorded InvalidChangeBatch: DNS_PROVIDER with the API\'s words, not retried', async () => {
    const dup = findRecorded(recorded, { status: 400 });
    const { client: c, calls } = client([answer(dup)]);
    const err = await failure(c.changeRecordSets(zone, [{ action: 'CREATE', set: { name: 'a.fullcr1stal.tk', type: 'TXT', ttl: 60, values: ['"x"'] } }], signal()));
    expect(err).toMatchObject({ code: 'DNS_PROVIDER', retryable: false, message: expect.stringContaining('HTTP 400: InvalidChangeBatch: [Duplicate Resource Record: \'"challengetoken"\']') });
    expect(calls).toHaveLength(1);
  });

  it('403 AccessDenied names the IAM actions; an echoed secret is scrubbed', async () => {
    const { client: c } = client([awsError(403, 'AccessDenied', `User: arn:aws:iam::123456789012:user/certfleet is not authorized to perform: route53:ChangeResourceRecordSets (key ${SECRET})`)]);
    const err = await failure(c.changeRecordSets(zone, [{ action: 'UPSERT', set: { name: 'a.fullcr1stal.tk', type: 'TXT', ttl: 60, values: ['"x"'] } }], signal()));
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringContaining('AccessDenied: User: arn:aws:iam::123456789012:user/certfleet is not authorized to perform: route53:ChangeResourceRecordSets') });
    expect(err.message).toContain('the IAM policy needs route53:ListHostedZonesByName, route53:ListResourceRecordSets and route53:ChangeResourceRecordSets');
    expect(err.message).not.toContain(SECRET);
  });

  it('404 NoSuchHostedZone is DNS_ZONE_NOT_FOUND; 503 on a GET is retried; Throttling (HTTP 400) is retried', async () => {
    const list = findRecorded(recorded, { method: 'GET', path: /\/rrset$/ });
    await expect(client([awsError(404, 'NoSuchHostedZone', 'No hosted zone found with ID: Z040120927RX9CM38HPQQ')]).client.listRecordSets(zone, signal()))
      .rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
    const again = client([{ status: 503, body: '' }, answer(list)]);
    expect(await again.client.listRecordSets(zone, signal())).toHaveLength(list.responseBody.split('<ResourceRecordSet>').length - 1);
    expect(again.calls).toHaveLength(2);
    const throttled = client([awsError(400, 'Throttling', 'Rate exceeded'), answer(findRecorded(recorded, { method: 'POST', status: 200 }))]);
    await throttled.client.changeRecordSets(zone, [{ action: 'UPSERT', set: { name: 'a.fullcr1stal.tk', type: 'TXT', ttl: 60, values: ['"x"'] } }], signal());
    expect(throttled.calls).toHaveLength(2);
  });
});
