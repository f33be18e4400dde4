import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pgFixture, type PgFixture } from '../../../test/support/pg-store-fixture.js';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import { startTcpProxy } from '../../../test/support/tcp-proxy.js';
import type { PemFile } from '../certificate-store.js';
import { openPool } from './pg-connection.js';
import { PgDatabase } from './pg-database.js';
import { PgStore } from './pg-store.js';

let server: PostgresServer;
let f: PgFixture | undefined;
beforeAll(async () => { server = await startPostgres(); });
afterAll(async () => { await server?.destroy(); });
afterEach(async () => {
  vi.useRealTimers();
  await f?.cleanup();
  f = undefined;
});
const S = () => AbortSignal.timeout(20_000);
const pem = (tag: string): Record<PemFile, string> => ({ cert: `cert ${tag}\n`, chain: `chain ${tag}\n`, fullchain: `fullchain ${tag}\n`, privkey: `privkey ${tag}\n` });
const meta = (serial: string) => ({ name: 'web', domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: 'test', serial, account: 'a', orderUrl: 'o', issuedAt: '' });
const code = (p: Promise<unknown>) => p.then(() => 'written', (e: unknown) => (e as { code?: string }).code ?? String(e));

describe('leases on the database\'s clock', () => {
  it('a host clock a year off changes nothing: expiry is the database\'s now() plus the TTL', async () => {
    f = await pgFixture(server, { ttlMs: 60_000, heartbeatMs: 20_000 });
    // Only Date is faked: timers still run, and nothing of the lease may read the host's time.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 365 * 86_400_000);
    const held = await f.store.lock('web', S());
    vi.setSystemTime(Date.now() - 2 * 365 * 86_400_000);
    expect(await f.reopen().tryLock('web', S())).toBeUndefined();
    const { rows } = await f.admin(`SELECT extract(epoch FROM expires_at - now()) * 1000 AS left FROM leases WHERE name = 'web'`);
    expect(Number((rows[0] as { left: string }).left)).toBeGreaterThan(50_000);
    expect(Number((rows[0] as { left: string }).left)).toBeLessThanOrEqual(60_000);
    await held.release();
    expect(await f.reopen().tryLock('web', S())).toBeDefined();
  });

  it('a lease taken over fires its signal within a heartbeat (STORE_LOCKED), and its save is refused (STORE_FENCED)', async () => {
    f = await pgFixture(server, { ttlMs: 1_500, heartbeatMs: 300 });
    const lease = await f.store.lock('web', S());
    const lost = new Promise<unknown>((resolve) => lease.signal.addEventListener('abort', () => resolve(lease.signal.reason), { once: true }));
    // A partition long enough for the row to expire, and another host took it.
    await f.admin(`UPDATE leases SET holder = 'other', token = nextval('lease_tokens') WHERE name = 'web'`);
    expect(await Promise.race([lost, new Promise((r) => setTimeout(() => r('not lost'), 2_000))])).toMatchObject({ code: 'STORE_LOCKED' });
    expect(await code(f.store.save({ meta: meta('late'), pem: pem('late') }, lease, S()))).toBe('STORE_FENCED');
    expect(await code(f.store.writeState('web', { failures: 1 }, { lease }, S()))).toBe('STORE_FENCED');
    expect(await f.store.readMeta('web', S())).toBeUndefined();
    await lease.release();
  });

  it('the heartbeat keeps a held lease alive past its TTL; an expired one is refused even before anyone takes it', async () => {
    f = await pgFixture(server, { ttlMs: 900, heartbeatMs: 300 });
    const lease = await f.store.lock('web', S());
    await new Promise((r) => setTimeout(r, 2_000));
    expect(lease.signal.aborted).toBe(false);
    expect(await f.reopen().tryLock('web', S())).toBeUndefined();
    await f.store.save({ meta: meta('1'), pem: pem('1') }, lease, S());
    await f.abandonLock('web');
    expect(await code(f.store.save({ meta: meta('2'), pem: pem('2') }, lease, S()))).toBe('STORE_FENCED');
    expect((await f.store.readMeta('web', S()))?.serial).toBe('1');
    await lease.release();
  });

  it('tryLock skips a lease row another transaction has locked (a save in progress) instead of waiting for it', async () => {
    f = await pgFixture(server);
    const held = await f.store.lock('web', S());
    await f.abandonLock('web');
    // The expired row, locked as a save's transaction locks it: busy, so no takeover and no wait.
    const saving = await f.db.pool.connect();
    try {
      await saving.query('BEGIN');
      await saving.query(`SELECT 1 FROM leases WHERE name = 'web' FOR UPDATE`);
      // Were it to wait, this signal would end it with an abort instead of an answer.
      expect(await f.reopen().tryLock('web', AbortSignal.timeout(5_000))).toBeUndefined();
      await saving.query('ROLLBACK');
    } finally {
      saving.release();
    }
    const taken = await f.reopen().tryLock('web', S());
    expect(taken?.token).toBeGreaterThan(held.token);
    await taken!.release();
    await held.release();
  });

  it('the database stopped: the holder gives the lease up (signal) before it could expire there', async () => {
    f = await pgFixture(server, { ttlMs: 1_200, heartbeatMs: 400 });
    const lease = await f.store.lock('web', S());
    await server.stop();
    try {
      await vi.waitFor(() => expect(lease.signal.aborted).toBe(true), { timeout: 3_000, interval: 50 });
      expect(lease.signal.reason).toMatchObject({ code: 'STORE_LOCKED' });
    } finally {
      await server.start();
    }
    await lease.release();
  });

  it('a partition that drops packets (nothing refused): the holder still gives the lease up before the row expires there', async () => {
    const timing = { ttlMs: 1_500, heartbeatMs: 300 };
    f = await pgFixture(server, timing);
    const proxy = await startTcpProxy({ host: server.host, port: server.port });
    // The fixture's owner over TCP (trusted on loopback), through the proxy.
    const url = `postgres://postgres@127.0.0.1:${proxy.port}/${/@\/([^/?]+)/.exec(f.url)![1]}`;
    const db = new PgDatabase(openPool(url), url);
    try {
      const lease = await new PgStore({ db, host: 'cut', lease: timing }).lock('web', S());
      const lost = new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve(), { once: true }));
      await proxy.cut('blackhole');
      // A heartbeat's new connection hangs in pg's connect (10 s) unless its deadline ends it.
      await lost;
      const { rows } = await f.admin(`SELECT expires_at > now() AS live FROM leases WHERE name = 'web'`);
      expect(rows[0], 'the lease was given up only after the database could hand it to another host').toEqual({ live: true });
      expect(lease.signal.reason).toMatchObject({ code: 'STORE_LOCKED' });
      // A write under the given-up lease is refused at once, not after the network comes back.
      const store = new PgStore({ db, host: 'cut', lease: timing });
      expect(await code(store.writeState('web', { failures: 1 }, { lease }, AbortSignal.timeout(3_000)))).toBe('STORE_FENCED');
      expect(await code(store.save({ meta: meta('late'), pem: pem('late') }, lease, AbortSignal.timeout(3_000)))).toBe('STORE_FENCED');
      await proxy.restore();
      await lease.release();
    } finally {
      await proxy.close();
      await db.end().catch(() => undefined);
    }
  });
});
