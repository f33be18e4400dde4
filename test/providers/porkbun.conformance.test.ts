import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { porkbunProvider } from '../../src/dns/porkbun/porkbun-provider.js';
import { describeApiProvider } from '../support/describe-api-provider.js';
import { startFakePorkbun, type FakePorkbun } from '../support/fake-porkbun.js';

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 600 });
const provider = (fake: FakePorkbun) => porkbunProvider({ id: 'pb', apiKey: fake.apiKey, secretApiKey: fake.secretApiKey, apiUrl: fake.url });

describeApiProvider({
  cassettes: 'porkbun',
  start: () => startFakePorkbun(['example.test']),
  provider,
  refused: (fake) => ({ provider: porkbunProvider({ id: 'pb', apiKey: 'pk1_wrong0123', secretApiKey: 'sk1_wrong4567', apiUrl: fake.url }), secrets: ['pk1_wrong0123', 'sk1_wrong4567'] }),
  refusedMessage: 'HTTP 400: Invalid API key. (002)); check the API key and secret key, and turn on "API ACCESS"',
  rateLimited: { status: 'ERROR', message: 'Too many requests.' },
  ttl: 600,
  // The recordings scrubbed the two keys from every body (`{}` with a Content-Length of 170): the only fields not compared.
  shapes: { ignoreBodyKeys: (k) => k === 'apikey' || k === 'secretapikey' },
  // Documented, not recorded (lexicon's tests write no MX): an MX record's priority.
  unrecorded: { capabilities: ['POST api/json/v3/dns/create/*: body field prio was never recorded (recorded: type, content, name, ttl)'] },
});

describe('porkbun specifics', () => {
  let fake: FakePorkbun;
  beforeAll(async () => { fake = await startFakePorkbun(['example.test']); });
  afterAll(() => fake.stop());

  it('sends both keys in the body and no credential header', async () => {
    await provider(fake).appendRecords('example.test', [txt('_acme-challenge.keys', 'k')], signal());
    const create = fake.api.seen.find((s) => s.url.includes('/dns/create/'))!;
    expect(JSON.parse(create.body)).toEqual({ apikey: fake.apiKey, secretapikey: fake.secretApiKey, type: 'TXT', content: 'k', name: '_acme-challenge.keys', ttl: 600 });
  });

  it('repeats a read after Porkbun\'s rate-limit 503', async () => {
    fake.api.inject({ times: 1, status: 503, body: '<html><head><title>503 Service Temporarily Unavailable</title></head></html>' });
    expect(await provider(fake).appendRecords('example.test', [txt('_acme-challenge.busy', 'v')], signal())).toEqual([txt('_acme-challenge.busy', 'v')]);
    expect(fake.txt('_acme-challenge.busy.example.test')).toEqual(['v']);
  });
});
