import { afterAll, describe, expect, it } from 'vitest';
import { createProvider } from '../../src/dns/create-provider.js';
import { Route53Provider } from '../../src/dns/route53/route53-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { startFakeRoute53, type FakeRoute53 } from '../support/fake-route53.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { expectRecordSetSurvives } from '../support/record-set-survival.js';
import { parseProviderEntry } from '../support/provider-config.js';
import { shapeContradictions } from '../support/recorded-shapes.js';
import { captureLog } from '../support/test-log.js';

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });
const fakes: FakeRoute53[] = [];
const provider = (fake: FakeRoute53, extra: Partial<ConstructorParameters<typeof Route53Provider>[0]> = {}) =>
  new Route53Provider({ id: 'r53', apiUrl: fake.url, accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey, env: {}, home: '/nonexistent', ...extra });

describeProviderConformance('route53 (against a fake built from the recorded traffic)', async () => {
  const fake = await startFakeRoute53([{ name: 'example.test' }]);
  fakes.push(fake);
  return { provider: provider(fake), zone: 'example.test', txt: (f) => Promise.resolve(fake.txt(f)), stop: () => Promise.resolve() };
});

describe('route53 specifics', () => {
  afterAll(async () => {
    // Everything every fake saw, the conformance suite's included, has a shape the recordings show.
    const recorded = loadCassettes('route53');
    const seen = fakes.flatMap((f) => f.api.seen);
    expect(seen.length).toBeGreaterThan(20);
    expect(shapeContradictions(recorded, seen)).toEqual([]);
    await Promise.all(fakes.map((f) => f.stop()));
  });

  it('a record set with several values survives adding and deleting one value, TTL kept', async () => {
    const fake = await startFakeRoute53([{ name: 'example.test' }]);
    fakes.push(fake);
    fake.put('example.test', { name: '_acme-challenge.set.example.test', type: 'TXT', ttl: 3600, values: ['"challengetoken1"', '"challengetoken2"'] });
    await expectRecordSetSurvives(provider(fake), 'example.test', (f) => fake.txt(f), signal);
  });

  it('a config entry (secret from a file) becomes a working provider through createProvider', async () => {
    const fake = await startFakeRoute53([{ name: 'example.test' }]);
    fakes.push(fake);
    const { config, problems } = parseProviderEntry('aws', `type: route53\napi_url: ${fake.url}\naccess_key_id: ${fake.accessKeyId}\nsecret_access_key_file: /run/aws`, { '/run/aws': `${fake.secretAccessKey}\n` });
    expect(problems).toEqual([]);
    const p = await createProvider('aws', config!.dns.providers.aws!, { log: captureLog().log });
    expect(await p.appendRecords('example.test', [txt('_acme-challenge.cfg', 'v')], signal())).toEqual([txt('_acme-challenge.cfg', 'v')]);
    expect(fake.txt('_acme-challenge.cfg.example.test')).toEqual(['v']);
  });

  it('a TXT text longer than 255 characters goes as several strings, and reads back whole', async () => {
    const fake = await startFakeRoute53([{ name: 'example.test' }]);
    fakes.push(fake);
    const long = txt('_acme-challenge.long', 'x'.repeat(300));
    await provider(fake).appendRecords('example.test', [long], signal());
    expect(fake.api.seen.at(-1)!.body).toContain(`<Value>"${'x'.repeat(255)}" "${'x'.repeat(45)}"</Value>`);
    expect((await provider(fake).getRecords('example.test', signal())).find((r) => r.name === long.name)).toEqual(long);
  });

  it('finds the hosted zone for a name below it, public or private as configured', async () => {
    const fake = await startFakeRoute53([{ name: 'example.test' }, { name: 'example.test', private: true }, { name: 'other.test' }]);
    fakes.push(fake);
    const pub = provider(fake);
    await pub.appendRecords('sub.example.test', [txt('_acme-challenge', 'v')], signal());
    expect(fake.txt('_acme-challenge.sub.example.test')).toEqual(['v']);
    expect((await pub.listZones(signal())).sort()).toEqual(['example.test', 'other.test']);
    expect(await provider(fake, { privateZone: true }).listZones(signal())).toEqual(['example.test']);
    await expect(pub.appendRecords('nowhere.test', [txt('_acme-challenge', 'v')], signal()))
      .rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: expect.stringContaining('no public hosted zone holds nowhere.test') });
  });

  it('get/set: one ChangeBatch upserts sets and deletes cleared ones; alias sets are left out', async () => {
    const fake = await startFakeRoute53([{ name: 'example.test' }]);
    fakes.push(fake);
    fake.put('example.test', { name: 'old.example.test', type: 'A', ttl: 300, values: ['192.0.2.1'] });
    fake.put('example.test', { name: 'alias.example.test', type: 'A', ttl: 0, values: ['d111111abcdef8.cloudfront.net'], alias: true });
    const p = provider(fake);
    const set = [{ name: 'www', type: 'A', data: '192.0.2.7', ttl: 300 }, { name: 'www', type: 'A', data: '192.0.2.8', ttl: 300 }, { name: 'docs', type: 'CNAME', data: 'docs.example.com', ttl: 300 }, txt('www', 'heritage=external-dns')];
    const before = fake.api.seen.length;
    expect(await p.setRecords('example.test', set, signal(), [{ name: 'old', type: 'A' }])).toEqual(set);
    expect(fake.api.seen.slice(before).filter((s) => s.method === 'POST')).toHaveLength(1);
    const got = await p.getRecords('example.test', signal());
    expect(got.filter((r) => r.type !== 'NS')).toEqual(expect.arrayContaining(set));
    expect(got.some((r) => r.name === 'old' || r.name === 'alias')).toBe(false);
    expect(got.find((r) => r.type === 'NS')).toEqual({ name: '@', type: 'NS', ttl: 172800, data: 'ns-831.awsdns-39.net' });
  });

  it('follows ListResourceRecordSets pagination (NextRecordName/NextRecordType)', async () => {
    const fake = await startFakeRoute53([{ name: 'example.test' }]);
    fake.pageSize = 2;
    for (let i = 0; i < 5; i++) fake.put('example.test', { name: `h${i}.example.test`, type: 'A', ttl: 60, values: [`192.0.2.${i}`] });
    try {
      const got = await provider(fake).getRecords('example.test', signal());
      expect(got.filter((r) => r.type === 'A').map((r) => r.name)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']);
      expect(fake.api.seen.filter((s) => s.url.includes('/rrset?name='))).toHaveLength(3);
    } finally {
      await fake.stop();
    }
  });

  it('wrong secret: DNS_AUTH naming the IAM actions, no secret in the message; Throttling is waited out', async () => {
    const fake = await startFakeRoute53([{ name: 'example.test' }]);
    fakes.push(fake);
    const bad = provider(fake, { secretAccessKey: 'not-the-secret-0123456789' });
    const err = await bad.appendRecords('example.test', [txt('_acme-challenge.x', 'v')], signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/^Route 53 provider r53: GET \/2013-04-01\/hostedzonesbyname: credentials refused \(HTTP 403: SignatureDoesNotMatch: .*route53:ChangeResourceRecordSets/) });
    expect(err.message).not.toContain('not-the-secret-0123456789');
    const p = provider(fake);
    await p.listZones(signal());
    fake.api.inject({ times: 1, status: 400, body: '<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>x</RequestId></ErrorResponse>', headers: { 'content-type': 'text/xml' } });
    await p.appendRecords('example.test', [txt('_acme-challenge.throttled', 'v')], signal());
    expect(fake.txt('_acme-challenge.throttled.example.test')).toEqual(['v']);
  });

  it('session token from the environment is sent as X-Amz-Security-Token and signed', async () => {
    const fake = await startFakeRoute53([{ name: 'example.test' }], { sessionToken: 'FwoGZXIvYXdzEJr-session-token-value' });
    fakes.push(fake);
    const p = new Route53Provider({ id: 'r53', apiUrl: fake.url, home: '/nonexistent', env: { AWS_ACCESS_KEY_ID: fake.accessKeyId, AWS_SECRET_ACCESS_KEY: fake.secretAccessKey, AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEJr-session-token-value' } });
    expect(await p.listZones(signal())).toEqual(['example.test']);
  });
});
