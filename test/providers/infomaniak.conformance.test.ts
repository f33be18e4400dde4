import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infomaniakProvider } from '../../src/dns/infomaniak/infomaniak-provider.js';
import { describeApiProvider } from '../support/describe-api-provider.js';
import { startFakeInfomaniak, type FakeInfomaniak } from '../support/fake-infomaniak.js';

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 300 });
const provider = (fake: FakeInfomaniak) => infomaniakProvider({ id: 'ik', token: fake.token, apiUrl: fake.url });

describeApiProvider({
  cassettes: 'infomaniak',
  start: () => startFakeInfomaniak(['example.test']),
  provider,
  refused: (fake) => ({ provider: infomaniakProvider({ id: 'ik', token: 'wrong-token-0123', apiUrl: fake.url }), secrets: ['wrong-token-0123'] }),
  refusedMessage: 'HTTP 401: Authorization required); it needs an API token with the "domain" scope',
  rateLimited: { result: 'error', error: { code: 'too_many_request', description: 'Too many requests' } },
  ttl: 300,
  // Documented, not recorded (lexicon's tests write no MX): an MX record's priority.
  unrecorded: { capabilities: ['POST */domain/*/dns/record: body field priority was never recorded (recorded: type, source, target, ttl)'] },
});

describe('infomaniak specifics', () => {
  let fake: FakeInfomaniak;
  beforeAll(async () => { fake = await startFakeInfomaniak(['example.test']); });
  afterAll(() => fake.stop());

  it('looks the domain product up once, by name', async () => {
    const p = provider(fake);
    await p.appendRecords('example.test', [txt('_acme-challenge.once', 'a')], signal());
    await p.deleteRecords('example.test', [txt('_acme-challenge.once', 'a')], signal());
    expect(fake.api.seen.filter((s) => s.url.startsWith('/1/product')).map((s) => s.url)).toEqual(['/1/product?service_name=domain&customer_name=example.test']);
  });

  it('repeats a read after a 5xx', async () => {
    fake.api.inject({ times: 1, status: 502, body: '' });
    expect(await provider(fake).appendRecords('example.test', [txt('_acme-challenge.busy', 'v')], signal())).toEqual([txt('_acme-challenge.busy', 'v')]);
  });
});
