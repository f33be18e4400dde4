import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesecProvider } from '../../src/dns/desec/desec-provider.js';
import { describeApiProvider } from '../support/describe-api-provider.js';
import { startFakeDesec, type FakeDesec } from '../support/fake-desec.js';

const signal = () => AbortSignal.timeout(15_000);
const txt = (name: string, data: string, ttl = 3600) => ({ name, type: 'TXT', data, ttl });
const provider = (fake: FakeDesec) => new DesecProvider({ id: 'desec', token: fake.token, apiUrl: fake.url });

describeApiProvider({
  cassettes: 'desec',
  start: () => startFakeDesec(['example.test']),
  // deSEC lowers a domain's minimum_ttl on request; the suite writes TTL 60.
  startForConformance: () => startFakeDesec(['example.test'], { minimumTtl: 60 }),
  provider,
  refused: (fake) => ({ provider: new DesecProvider({ id: 'desec', token: 'wrong-token-0123', apiUrl: fake.url }), secrets: ['wrong-token-0123'] }),
  refusedMessage: 'HTTP 401: Invalid token.); the token needs the domain',
  rateLimited: { detail: 'Request was throttled. Expected available in 1 second.' },
  ttl: 3600,
  // Subnames without a dot (`_acme-challenge`, the checks' `www`) and record types in a path are names, not words of the API.
  shapes: { isVariable: (s) => s.startsWith('_acme-challenge') || ['www', 'mail'].includes(s) || /^[A-Z]+$/.test(s) },
  // GET /domains/ (list zones) is from deSEC's documentation: the recordings never list domains.
  unrecorded: { capabilities: ['GET api/v1/domains: no recorded request has this method and path'] },
});

describe('desec specifics', () => {
  let fake: FakeDesec;
  beforeAll(async () => { fake = await startFakeDesec(['example.test']); });
  afterAll(() => fake.stop());

  it('raises a TTL below the domain minimum to it', async () => {
    await provider(fake).appendRecords('example.test', [txt('_acme-challenge.low', 'low', 60)], signal());
    expect(await provider(fake).getRecords('example.test', signal())).toContainEqual(txt('_acme-challenge.low', 'low', 3600));
  });

  it('follows the cursor pages of a long RRset list', async () => {
    const paged = await startFakeDesec(['example.test'], { pageSize: 2 });
    try {
      const p = provider(paged);
      await p.appendRecords('example.test', ['a', 'b', 'c', 'd', 'e'].map((n) => txt(`_acme-challenge.${n}`, n)), signal());
      expect((await p.getRecords('example.test', signal())).map((r) => r.data).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    } finally {
      await paged.stop();
    }
  });
});
