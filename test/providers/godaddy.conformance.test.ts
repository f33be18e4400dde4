import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GodaddyProvider } from '../../src/dns/godaddy/godaddy-provider.js';
import { describeApiProvider } from '../support/describe-api-provider.js';
import { startFakeGodaddy, type FakeGodaddy } from '../support/fake-godaddy.js';

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string, ttl = 600) => ({ name, type: 'TXT', data, ttl });
const provider = (fake: FakeGodaddy) => new GodaddyProvider({ id: 'gd', apiKey: fake.key, apiSecret: fake.secret, apiUrl: fake.url });
/** Documented, not recorded: the DELETE of a name's last value (lexicon PUTs all TXT records of the domain instead, which could drop another writer's values). */
const DELETE_SHAPE = 'DELETE v1/domains/*/records/*/*: no recorded request has this method and path';

describeApiProvider({
  cassettes: 'godaddy',
  start: () => startFakeGodaddy(['example.test']),
  provider,
  refused: (fake) => ({ provider: new GodaddyProvider({ id: 'gd', apiKey: 'wrong-key-0123', apiSecret: 'wrong-secret-4567', apiUrl: fake.url }), secrets: ['wrong-key-0123', 'wrong-secret-4567'] }),
  refusedMessage: 'HTTP 401: UNABLE_TO_AUTHENTICATE: Unable to authenticate the request); it needs a production API key',
  rateLimited: { code: 'TOO_MANY_REQUESTS', message: 'Too many requests received within interval', retryAfterSec: 1 },
  ttl: 600,
  // Names without a dot (`_acme-challenge`, the checks' `www`) and record types in a path are names, not words of the API.
  shapes: { isVariable: (s) => s.startsWith('_acme-challenge') || ['www', 'mail'].includes(s) || /^[A-Z]+$/.test(s) },
  unrecorded: {
    conformance: [DELETE_SHAPE],
    // Also documented, not recorded (lexicon's tests write no MX): an MX record's priority.
    capabilities: [DELETE_SHAPE, 'PUT v1/domains/*/records/*/*: body field [].priority was never recorded (recorded: [].type, [].name, [].data, [].ttl)'],
  },
});

describe('godaddy specifics', () => {
  let fake: FakeGodaddy;
  beforeAll(async () => { fake = await startFakeGodaddy(['example.test']); });
  afterAll(() => fake.stop());

  it('raises a TTL below 600 to 600 (GoDaddy refuses less)', async () => {
    await provider(fake).appendRecords('example.test', [txt('_acme-challenge.low', 'low', 60)], signal());
    expect(await provider(fake).getRecords('example.test', signal())).toContainEqual(txt('_acme-challenge.low', 'low', 600));
  });

  it('deleting one value PUTs the others back; the last one goes with DELETE, other names untouched', async () => {
    const p = provider(fake);
    await p.appendRecords('example.test', [txt('_acme-challenge.d', 'a'), txt('_acme-challenge.d', 'b'), txt('_acme-challenge.other', 'o')], signal());
    fake.api.seen.length = 0;
    await p.deleteRecords('example.test', [txt('_acme-challenge.d', 'a')], signal());
    await p.deleteRecords('example.test', [txt('_acme-challenge.d', 'b')], signal());
    expect(fake.api.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /v1/domains/example.test/records/TXT/_acme-challenge.d', 'PUT /v1/domains/example.test/records/TXT/_acme-challenge.d',
      'GET /v1/domains/example.test/records/TXT/_acme-challenge.d', 'DELETE /v1/domains/example.test/records/TXT/_acme-challenge.d',
    ]);
    expect(fake.txt('_acme-challenge.other.example.test')).toEqual(['o']);
  });

  it('repeats a read after a 5xx', async () => {
    fake.api.inject({ times: 1, status: 503, body: '' });
    expect(await provider(fake).appendRecords('example.test', [txt('_acme-challenge.busy', 'v')], signal())).toEqual([txt('_acme-challenge.busy', 'v')]);
  });
});
