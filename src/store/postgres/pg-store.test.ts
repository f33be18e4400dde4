import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pgFixture, type PgFixture } from '../../../test/support/pg-store-fixture.js';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import type { PemFile } from '../certificate-store.js';
import { StateCipher } from '../state-cipher.js';
import { PgStore } from './pg-store.js';

let server: PostgresServer;
let f: PgFixture | undefined;
beforeAll(async () => { server = await startPostgres(); });
afterAll(async () => { await server?.destroy(); });
afterEach(async () => { await f?.cleanup(); f = undefined; });
const S = () => AbortSignal.timeout(20_000);
const KEY = '-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----\n';
const pem: Record<PemFile, string> = { cert: 'cert\n', chain: 'chain\n', fullchain: 'fullchain\n', privkey: KEY };
const meta = { name: 'web', domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: 'test', serial: '01', account: 'a', orderUrl: 'o', issuedAt: '' };

describe('PgStore', () => {
  it('with a store key the private key is encrypted in the row and decrypted on load; without the key it is refused', async () => {
    f = await pgFixture(server);
    const cipher = new StateCipher(randomBytes(32));
    const store = new PgStore({ db: f.db, host: 'h1', cipher });
    {
      await using lease = await store.lock('web', S());
      await store.save({ meta, pem }, lease, S());
    }
    const row = (await f.admin('SELECT privkey FROM certificates')).rows[0] as { privkey: string };
    expect(row.privkey).not.toContain('secret-key-material');
    expect(StateCipher.isEncrypted(row.privkey)).toBe(true);
    expect((await store.load('web', S()))?.pem.privkey).toBe(KEY);
    await expect(new PgStore({ db: f.db, host: 'h1' }).load('web', S())).rejects.toMatchObject({ code: 'STORE_KEY' });
  });

  it('accounts: a key is written once (a second writer gets EEXIST and reads the first), url, pace and the issuer certificate', async () => {
    f = await pgFixture(server);
    await f.store.writeAccount('ca1', { keyPem: 'key-1' }, S());
    await expect(f.reopen().writeAccount('ca1', { keyPem: 'key-2' }, S())).rejects.toMatchObject({ code: 'EEXIST' });
    await f.store.writeAccount('ca1', { url: 'https://ca/acct/1' }, S());
    expect(await f.store.readAccount('ca1', S())).toEqual({ keyPem: 'key-1', url: 'https://ca/acct/1' });
    expect(await f.store.readAccount('ca2', S())).toBeUndefined();
    await f.store.writePace('ca1', '{"poll":1}', S());
    await f.store.writeIssuerCertificate('ca1', 'CA PEM', S());
    expect([await f.store.readPace('ca1', S()), await f.store.readIssuerCertificate('ca1', S()), await f.store.readPace('ca2', S())]).toEqual(['{"poll":1}', 'CA PEM', undefined]);
    expect(await f.store.accountKeys(S())).toEqual(['ca1']);
  });

  it('state keeps the TXT records written under a lease (pendingTxt) for the next holder, and its next due time', async () => {
    f = await pgFixture(server);
    const txt = { provider: 'home', zone: 'example.test', name: '_acme-challenge.web.example.test', value: 'v1', ttl: 60 };
    {
      await using lease = await f.store.lock('web', S());
      await f.store.writeState('web', { failures: 0, pendingTxt: [txt], nextAttempt: '2030-01-01T00:00:00.000Z' }, { lease }, S());
    }
    expect((await f.reopen().readState('web', S())).state.pendingTxt).toEqual([txt]);
    const row = (await f.admin('SELECT next_due FROM certificate_states')).rows[0] as { next_due: Date };
    expect(row.next_due.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('sweep removes leases whose holders died long ago; preflight and writable see a stopped database', async () => {
    f = await pgFixture(server);
    const dead = await f.store.lock('web', S());
    await f.admin(`UPDATE leases SET expires_at = now() - interval '2 minutes'`);
    expect(await f.store.sweep(S())).toEqual(['leases/web']);
    await expect(f.store.save({ meta, pem }, dead, S())).rejects.toMatchObject({ code: 'STORE_FENCED' });
    await dead.release();
    await f.store.preflight('web', S());
    await server.stop();
    try {
      expect(await f.store.writable(S())).toBe(false);
      await expect(f.store.preflight('web', S())).rejects.toMatchObject({ code: 'STORE_DB' });
    } finally {
      await server.start();
    }
  });
});
