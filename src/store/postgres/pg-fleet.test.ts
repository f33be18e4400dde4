import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pgFixture, type PgFixture } from '../../../test/support/pg-store-fixture.js';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres-server.js';
import type { PemFile } from '../certificate-store.js';
import type { CertificateVersion, FleetEvents } from '../fleet-store.js';
import { freePort } from '../../../test/support/free-port.js';
import { openPool } from './pg-connection.js';
import { PgDatabase } from './pg-database.js';
import { PgFleet } from './pg-fleet.js';
import { PgManagedCertificates } from './pg-managed.js';

let server: PostgresServer;
let f: PgFixture | undefined;
const stops: AbortController[] = [];
beforeAll(async () => { server = await startPostgres(); });
afterAll(async () => { await server?.destroy(); });
afterEach(async () => {
  for (const c of stops.splice(0)) c.abort();
  await f?.cleanup();
  f = undefined;
});
const S = () => AbortSignal.timeout(20_000);
const pem = (tag: string): Record<PemFile, string> => ({ cert: `cert ${tag}\n`, chain: `chain ${tag}\n`, fullchain: `fullchain ${tag}\n`, privkey: `privkey ${tag}\n` });
const meta = (name: string, serial: string) => ({ name, domains: [`${name}.example.test`], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: 'test', serial, account: 'a', orderUrl: 'o', issuedAt: '' });

async function save(fx: PgFixture, name: string, serial: string): Promise<number> {
  await using lease = await fx.store.lock(name, S());
  return (await fx.store.save({ meta: meta(name, serial), pem: pem(serial) }, lease, S())).version;
}

/** A watching host h2: what it was told, in order. */
async function watcher(fx: PgFixture, host = 'h2'): Promise<{ fleet: PgFleet; seen: string[]; saved: CertificateVersion[] }> {
  const fleet = new PgFleet({ db: fx.reopen().db, host, reconnect: { minMs: 50, maxMs: 200 } });
  const seen: string[] = [];
  const saved: CertificateVersion[] = [];
  const events: FleetEvents = {
    saved: (c) => { saved.push(c); seen.push(`saved ${c.name} ${c.version}`); },
    managedChanged: (n) => seen.push(`managed ${n}`),
    connection: (up) => seen.push(up ? 'up' : 'down'),
  };
  const stop = new AbortController();
  stops.push(stop);
  await fleet.watch(events, stop.signal);
  return { fleet, seen, saved };
}

describe('PgFleet', () => {
  it('a save commits, then its NOTIFY reaches a watcher, which can read that version at once', async () => {
    f = await pgFixture(server);
    const w = await watcher(f);
    expect(w.seen).toEqual(['up']);
    const other = f.reopen();
    const version = await save(f, 'web', 's1');
    await vi.waitFor(() => expect(w.saved).toEqual([{ name: 'web', version }]), { timeout: 5_000, interval: 10 });
    expect((await other.load('web', S()))?.meta).toMatchObject({ serial: 's1', version });
  });

  it('a host that missed notifications catches up in one query; after a reconnect it is told down, then up', async () => {
    f = await pgFixture(server);
    const h3 = new PgFleet({ db: f.reopen().db, host: 'h3' });
    await save(f, 'web', 's1');
    await save(f, 'api', 's1');
    expect(await h3.undelivered(S())).toEqual([{ name: 'api', version: 1 }, { name: 'web', version: 1 }]);
    await h3.markDelivered({ name: 'web', version: 1 }, S());
    await h3.markDelivered({ name: 'api', version: 1 }, S());
    expect(await h3.undelivered(S())).toEqual([]);

    const w = await watcher(f, 'h3');
    await server.stop();
    await vi.waitFor(() => expect(w.seen).toEqual(['up', 'down']), { timeout: 5_000, interval: 20 });
    await server.start();
    await vi.waitFor(() => expect(w.seen).toEqual(['up', 'down', 'up']), { timeout: 10_000, interval: 20 });
    // While it was away (and after): the save of version 2 is what undelivered names.
    await save(f, 'web', 's2');
    expect(await h3.undelivered(S())).toEqual([{ name: 'web', version: 2 }]);
    await vi.waitFor(() => expect(w.saved).toEqual([{ name: 'web', version: 2 }]), { timeout: 5_000, interval: 10 });
  });

  it('watch rejects when its first connection fails, naming where', async () => {
    const url = `postgres://certfleet:pw-never-shown-77@127.0.0.1:${await freePort()}/certfleet`;
    const db = new PgDatabase(openPool(url), url);
    const events: FleetEvents = { saved: () => undefined, managedChanged: () => undefined, connection: () => undefined };
    const err = await new PgFleet({ db, host: 'h9' }).watch(events, S()).then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(err).toMatchObject({ code: 'STORE_DB', message: expect.stringContaining('cannot connect to PostgreSQL at 127.0.0.1:') });
    expect(err!.message).not.toContain('pw-never-shown-77');
    await db.end();
  });

  it('heartbeat and status: hosts, what each delivered, current versions, held leases', async () => {
    f = await pgFixture(server);
    await save(f, 'web', 's1');
    await f.fleet.heartbeat(S());
    await f.fleet.markDelivered({ name: 'web', version: 1 }, S());
    const h2 = new PgFleet({ db: f.reopen().db, host: 'h2' });
    await h2.heartbeat(S());
    await using held = await f.store.lock('api', S());
    const status = await f.fleet.status(S());
    expect(status.hosts.map((h) => [h.id, h.delivered])).toEqual([['h1', { web: 1 }], ['h2', {}]]);
    expect(Date.parse(status.hosts[0]!.lastSeen)).toBeLessThanOrEqual(Date.parse(status.now));
    expect(status.current).toEqual([{ name: 'web', version: 1 }]);
    expect(status.leases).toEqual([{ name: 'api', holder: `h1/${process.pid}`, token: String(held.token), expiresAt: expect.any(String) }]);
  });

  it('managed certificates: created, unchanged, replaced, deleted; every change reaches watchers', async () => {
    f = await pgFixture(server);
    const w = await watcher(f);
    const managed = new PgManagedCertificates(f.db);
    expect(await managed.putManaged('shop', { domains: ['shop.example.test'], dns: 'home' }, S())).toBe('created');
    expect(await managed.putManaged('shop', { dns: 'home', domains: ['shop.example.test'] }, S())).toBe('unchanged');
    expect(await managed.putManaged('shop', { domains: ['shop.example.test', 'www.shop.example.test'], dns: 'home' }, S())).toBe('replaced');
    expect((await managed.getManaged('shop', S()))?.spec).toEqual({ domains: ['shop.example.test', 'www.shop.example.test'], dns: 'home' });
    expect((await managed.listManaged(S())).map((m) => m.name)).toEqual(['shop']);
    expect(await managed.deleteManaged('shop', S())).toBe(true);
    expect(await managed.deleteManaged('shop', S())).toBe(false);
    expect(await managed.getManaged('shop', S())).toBeUndefined();
    await vi.waitFor(() => expect(w.seen).toEqual(['up', 'managed shop', 'managed shop', 'managed shop']), { timeout: 5_000, interval: 10 });
  });
});
