import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetReport } from '../src/cli/fleet-status.js';
import { DeliveryLedger } from '../src/daemon/delivery-ledger.js';
import { FleetDelivery } from '../src/daemon/fleet-delivery.js';
import { savingLocally } from '../src/daemon/local-save-store.js';
import { parseConfig } from '../src/config/load-config.js';
import type { CertificateStore, StoredCertificate } from '../src/store/certificate-store.js';
import { LiveDirectory } from '../src/store/live-directory.js';
import { openPool } from '../src/store/postgres/pg-connection.js';
import { PgDatabase } from '../src/store/postgres/pg-database.js';
import { PgFleet } from '../src/store/postgres/pg-fleet.js';
import { migrate } from '../src/store/postgres/pg-migrations.js';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { startPostgres, type PostgresServer } from './support/postgres-server.js';
import { captureLog } from './support/test-log.js';

/**
 * Fleet delivery (src/daemon/fleet-delivery.ts) on a real PostgreSQL 15: three hosts, each with
 * its own pool, LISTEN connection and live/ directory, in this process. The daemons around it
 * are left out (the certificates are saved directly, under a claimed lease, as the pipeline does).
 */
const S = () => AbortSignal.timeout(20_000);
const config = parseConfig('acme: { directory: selfsigned }\nstore: { path: /nonexistent }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n  - name: web\n    domains: [web.example.test]\n    dns: none\n', 'c.yaml');
const spec = config.certificates[0]!;

interface Host {
  id: string;
  store: CertificateStore;
  /** The store as the renewing pipeline sees it: its save writes this host's live/ too. */
  saving: CertificateStore;
  fleet: PgFleet;
  delivery: FleetDelivery;
  root: string;
  deployed: { name: string; version: number }[];
  stop: AbortController;
  db: PgDatabase;
}

let server: PostgresServer;
let url: string;
const hosts: Host[] = [];

async function host(id: string): Promise<Host> {
  const db = new PgDatabase(openPool(url), url);
  await migrate(db, S());
  const store = new PgStore({ db, host: id, lease: { ttlMs: 4_000, heartbeatMs: 1_000 } });
  const fleet = new PgFleet({ db, host: id, reconnect: { minMs: 100, maxMs: 500 } });
  const root = await mkdtemp(path.join(tmpdir(), `certfleet-fleet-${id}-`));
  const local = new LiveDirectory({ root });
  const ledger = new DeliveryLedger();
  const deployed: Host['deployed'] = [];
  const log = captureLog().log;
  const delivery = new FleetDelivery({
    fleet, store, local, ledger, log, spec: () => spec, backoff: { minMs: 50, maxMs: 500 },
    deploy: { run: (_s, _e, cert) => { deployed.push({ name: cert.meta.name, version: cert.meta.version }); return Promise.resolve([]); } },
  });
  const saving = savingLocally(store, { local, fleet, ledger, log, retry: (n, v) => delivery.retry(n, v) });
  const stop = new AbortController();
  await delivery.start(stop.signal);
  await fleet.heartbeat(S());
  const h = { id, store, saving, fleet, delivery, root, deployed, stop, db };
  hosts.push(h);
  return h;
}

function pem(name: string, version: number): StoredCertificate['pem'] {
  const cert = `-----BEGIN CERTIFICATE-----\n${name} v${version}\n-----END CERTIFICATE-----\n`;
  return { cert, chain: '', fullchain: cert, privkey: `-----BEGIN PRIVATE KEY-----\n${name} v${version}\n-----END PRIVATE KEY-----\n` };
}

/** What the pipeline does on the renewing host: claim, save (through the local-writing store), release. */
async function renew(h: Host, name: string): Promise<number> {
  const lease = await h.store.tryLock(name, S());
  if (!lease) throw new Error(`${name} is held`);
  try {
    const version = ((await h.store.readMeta(name, S()))?.version ?? 0) + 1;
    const meta = { name, domains: [`${name}.example.test`], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: '', serial: '', account: '', orderUrl: '', issuedAt: '' };
    return (await h.saving.save({ meta, pem: pem(name, version) }, lease, S())).version;
  } finally {
    await lease.release();
  }
}

async function served(h: Host, name: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(await realpath(path.join(h.root, 'live', name)), 'cert.pem'), 'utf8');
  } catch {
    return undefined;
  }
}

/** Until every host serves `version` of each name (deliveries are asynchronous by nature). */
async function everywhere(names: string[], version: number, within = 15_000): Promise<void> {
  const until = Date.now() + within;
  for (;;) {
    const missing: string[] = [];
    for (const h of hosts) for (const n of names) if ((await served(h, n)) !== pem(n, version).cert) missing.push(`${h.id}:${n}`);
    if (missing.length === 0) return;
    if (Date.now() > until) throw new Error(`not delivered: ${missing.slice(0, 10).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase();
});
afterAll(async () => {
  for (const h of hosts) {
    h.stop.abort();
    await h.delivery.settled();
    await h.db.end().catch(() => undefined);
    await rm(h.root, { recursive: true, force: true });
  }
  await server?.destroy();
});

describe('fleet delivery on PostgreSQL', () => {
  const names = Array.from({ length: 10 }, (_, i) => `site${i}`);

  it('every save reaches every host\'s live/; the renewing host deploys through its pipeline only, the others once each; a late host catches up', async () => {
    const [a, b] = [await host('h1'), await host('h2')];
    for (const n of names) await renew(a, n);
    // Written on the renewing host inside the save, before the pipeline's deploy step.
    for (const n of names) expect(await served(a, n)).toBe(pem(n, 1).cert);
    const c = await host('h3'); // missed every notification: catches up in one query
    await everywhere(names, 1);
    await Promise.all(hosts.map((h) => h.delivery.settled()));
    expect(a.deployed).toEqual([]);
    expect(b.deployed.map((d) => d.name).sort()).toEqual([...names].sort());
    expect(c.deployed.map((d) => d.name).sort()).toEqual([...names].sort());
    const report = fleetReport(await a.fleet.status(S()));
    expect(report.hosts.map((h) => [h.host, h.delivered, h.behind.length])).toEqual([['h1', 10, 0], ['h2', 10, 0], ['h3', 10, 0]]);
  });

  it('a renewal by another host reaches every host, deployed once per host', async () => {
    const [a, b, c] = hosts as [Host, Host, Host];
    const before = hosts.map((h) => h.deployed.length);
    expect(await renew(b, 'site3')).toBe(2);
    await everywhere(['site3'], 2);
    await Promise.all(hosts.map((h) => h.delivery.settled()));
    expect(hosts.map((h, i) => h.deployed.length - before[i]!)).toEqual([1, 0, 1]);
    expect(a.deployed.at(-1)).toEqual({ name: 'site3', version: 2 });
    expect(c.deployed.at(-1)).toEqual({ name: 'site3', version: 2 });
  });

  it('PostgreSQL down for a while: every host reports the connection lost, files keep serving, and after it is back what was saved is delivered', async () => {
    await server.stop();
    const until = Date.now() + 10_000;
    while (hosts.some((h) => h.delivery.connected) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(hosts.map((h) => h.delivery.connected)).toEqual([false, false, false]);
    for (const h of hosts) expect(await served(h, 'site3')).toBe(pem('site3', 2).cert);
    await server.start();
    const back = Date.now() + 15_000;
    while (hosts.some((h) => !h.delivery.connected) && Date.now() < back) await new Promise((r) => setTimeout(r, 50));
    expect(hosts.map((h) => h.delivery.connected)).toEqual([true, true, true]);
    await renew(hosts[2]!, 'site0');
    await everywhere(['site0'], 2);
  });
});
