import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsimpleProvider } from '../../src/dns/dnsimple/dnsimple-provider.js';
import { loadCassettes } from '../support/cassette.js';
import { describeApiProvider } from '../support/describe-api-provider.js';
import { startFakeDnsimple, type FakeDnsimple } from '../support/fake-dnsimple.js';
import { shapeContradictions } from '../support/recorded-shapes.js';

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });
const provider = (fake: FakeDnsimple) => dnsimpleProvider({ id: 'ds', token: fake.token, apiUrl: fake.url });

describeApiProvider({
  cassettes: 'dnsimple',
  start: () => startFakeDnsimple(['example.test']),
  provider,
  refused: (fake) => ({ provider: dnsimpleProvider({ id: 'ds', token: 'wrong-token-0123', apiUrl: fake.url }), secrets: ['wrong-token-0123'] }),
  refusedMessage: 'HTTP 401: Authentication failed); it needs an account or user API token',
  rateLimited: { message: 'Your API rate limit has been exceeded' },
  ttl: 60,
});

describe('dnsimple specifics', () => {
  let fake: FakeDnsimple;
  beforeAll(async () => { fake = await startFakeDnsimple(['example.test']); });
  afterAll(() => fake.stop());

  it('asks for the account once, and a configured account id without asking', async () => {
    const p = provider(fake);
    await p.appendRecords('example.test', [txt('_acme-challenge.acct', 'a')], signal());
    await p.appendRecords('example.test', [txt('_acme-challenge.acct', 'b')], signal());
    expect(fake.api.seen.filter((s) => s.url === '/v2/accounts')).toHaveLength(1);
    const configured = dnsimpleProvider({ id: 'ds', token: fake.token, apiUrl: fake.url, accountId: String(fake.accountId) });
    const before = fake.api.seen.length;
    await configured.appendRecords('example.test', [txt('_acme-challenge.acct', 'c')], signal());
    expect(fake.api.seen.slice(before).some((s) => s.url === '/v2/accounts')).toBe(false);
  });

  it('follows the pages of records and domains', async () => {
    const paged = await startFakeDnsimple(['a.test', 'b.test', 'example.test'], { perPage: 2 });
    try {
      const p = provider(paged);
      await p.appendRecords('example.test', ['1', '2', '3', '4', '5'].map((v) => txt(`_acme-challenge.p${v}`, v)), signal());
      expect((await p.getRecords('example.test', signal())).filter((r) => r.type === 'TXT').map((r) => r.data).sort()).toEqual(['1', '2', '3', '4', '5']);
      expect((await p.listZones(signal())).sort()).toEqual(['a.test', 'b.test', 'example.test']);
      // `page` is DNSimple's documented parameter; lexicon's recorded lists never needed a second page.
      expect(shapeContradictions(loadCassettes('dnsimple'), paged.api.seen)).toEqual([
        'GET v2/*/zones/*/records: query key page was never recorded (recorded: type, name)',
        'GET v2/*/domains: query key page was never recorded (recorded: name_like)',
      ]);
    } finally {
      await paged.stop();
    }
  });
});
