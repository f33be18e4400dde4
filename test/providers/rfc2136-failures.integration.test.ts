import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rfc2136Provider } from '../../src/dns/rfc2136/rfc2136-provider.js';
import type { TsigKey } from '../../src/dns/rfc2136/tsig.js';
import { startBind, startKnot, type UpdateDnsServer } from '../support/update-dns-servers.js';

const rec = { name: '_acme-challenge.bad', type: 'TXT', data: 'v', ttl: 60 };
const signal = () => AbortSignal.timeout(10_000);

describe.each([['BIND', startBind], ['Knot', startKnot]] as const)('rfc2136 failures against %s', (_label, start) => {
  let s: UpdateDnsServer;
  let key: TsigKey;
  beforeAll(async () => {
    s = await start(['example.test', 'other.test'], undefined, ['locked.test']);
    key = { name: s.key.name, algorithm: s.key.algorithm, secret: Buffer.from(s.key.secret, 'base64') };
  });
  afterAll(() => s?.stop());
  const provider = (k: Partial<TsigKey>, extra: Partial<ConstructorParameters<typeof Rfc2136Provider>[0]> = {}) =>
    new Rfc2136Provider({ id: 'ns', server: s.address, key: { ...key, ...k }, ...extra });

  it('a wrong secret: BADSIG, naming provider, zone and cause, never the secret', async () => {
    const wrong = Buffer.from('wrong-secret-wrong-secret-wrong!');
    const err = await provider({ secret: wrong }).appendRecords('example.test', [rec], signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/^RFC 2136 provider ns \(127\.0\.0\.1:\d+\), zone example\.test: BADSIG: the server rejected the signature of key certfleet-test-key/) });
    expect(err.message).not.toContain(wrong.toString('base64'));
    expect(err.message).not.toContain(s.key.secret);
    expect(await s.txt('_acme-challenge.bad.example.test')).toEqual([]);
  });

  it('a key the server does not know: BADKEY', async () => {
    await expect(provider({ name: 'nobody-key' }).appendRecords('example.test', [rec], signal()))
      .rejects.toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/BADKEY: the server does not know key nobody-key \(hmac-sha256\), or does not accept it for this zone/) });
  });

  it('clock skew beyond the fudge: BADTIME', async () => {
    await expect(provider({}, { now: () => Date.now() - 3600_000 }).appendRecords('example.test', [rec], signal()))
      .rejects.toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/BADTIME: the clocks of this host and the server differ/) });
  });

  // BIND answers REFUSED; Knot answers NOTAUTH with TSIG error BADKEY (the key is not in the zone's ACL).
  it('a zone the key may not write: REFUSED or BADKEY, naming the zone, nothing written', async () => {
    await expect(provider({}).appendRecords('locked.test', [{ ...rec, name: '_acme-challenge' }], signal()))
      .rejects.toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/zone locked\.test: (REFUSED: refused: key certfleet-test-key may not make this change|BADKEY: .*or does not accept it for this zone)/) });
    expect(await s.txt('_acme-challenge.locked.test')).toEqual([]);
  });

  it('a zone the server does not serve: a clear error', async () => {
    await expect(provider({}).appendRecords('nowhere.test', [{ ...rec, name: '_acme-challenge' }], signal()))
      .rejects.toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/zone nowhere\.test: (NOTAUTH|REFUSED): /) });
  });
});

describe('rfc2136 transport failures', () => {
  it('a server that never answers: a retryable error after the timeout', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const port = silent.address().port;
    const p = new Rfc2136Provider({ id: 'mute', server: `127.0.0.1:${port}`, key: { name: 'k', algorithm: 'hmac-sha256', secret: Buffer.alloc(32) }, timeoutMs: 200 });
    await expect(p.appendRecords('example.test', [rec], signal())).rejects.toMatchObject({ code: 'DNS_PROVIDER', retryable: true, message: expect.stringMatching(/^RFC 2136 provider mute .*: no answer from 127\.0\.0\.1:\d+ over UDP within 200 ms/) });
    silent.close();
  });
});
