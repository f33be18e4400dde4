import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { LiveDirectory } from '../../src/store/live-directory.js';
import { openPool } from '../../src/store/postgres/pg-connection.js';
import { PgDatabase } from '../../src/store/postgres/pg-database.js';
import { PgFleet } from '../../src/store/postgres/pg-fleet.js';
import type { LeaseTiming } from '../../src/store/postgres/pg-lease.js';
import { migrate } from '../../src/store/postgres/pg-migrations.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { findDebris } from '../chaos/support/store-debris-finder.js';
import { servedFiles } from './served-files.js';
import type { StoreFixture } from './store-conformance.js';
import type { PostgresServer } from './postgres-server.js';

const S = () => AbortSignal.timeout(20_000);

/**
 * A fault that is real: a trigger on the tables a save writes raises (SQL state 53100, disk
 * full) at the n-th row written from now on. Its count is a sequence, which a rollback does not
 * undo; the trigger's NOTICE, sent before the error, tells the fixture it hit.
 */
const FAULT_SQL = `
CREATE SEQUENCE IF NOT EXISTS test_fault_writes;
CREATE TABLE IF NOT EXISTS test_fault (n bigint);
CREATE OR REPLACE FUNCTION test_fault() RETURNS trigger AS $$
DECLARE target bigint;
BEGIN
  SELECT n INTO target FROM test_fault;
  IF target IS NOT NULL AND nextval('test_fault_writes') = target THEN
    RAISE NOTICE 'certfleet test fault hit';
    RAISE EXCEPTION 'could not extend file: No space left on device (test fault at write %)', target USING ERRCODE = '53100';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$ LANGUAGE plpgsql;
DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['certificates', 'events', 'certificate_states'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS test_fault ON %I', t);
    EXECUTE format('CREATE TRIGGER test_fault BEFORE INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION test_fault()', t);
  END LOOP;
END $$;`;

export interface PgFixture extends StoreFixture {
  store: PgStore;
  url: string;
  db: PgDatabase;
  fleet: PgFleet;
  live: LiveDirectory;
  /** Another process's store on the same database, with its own pool and host id. */
  reopen(): PgStore;
  /** Runs SQL as the database owner (outside any store). */
  admin(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
}

/** A fresh database per fixture, migrated; the store of host "h1", whose local dir is a temp dir. */
export async function pgFixture(server: PostgresServer, lease: LeaseTiming = { ttlMs: 4_000, heartbeatMs: 1_000 }): Promise<PgFixture> {
  const url = await server.createDatabase();
  const dbs: PgDatabase[] = [];
  let hit = false;
  const open = () => {
    const pool = openPool(url);
    pool.on('connect', (c) => c.on('notice', (n) => { if (n.message?.includes('certfleet test fault hit')) hit = true; }));
    const db = new PgDatabase(pool, url);
    dbs.push(db);
    return db;
  };
  const db = open();
  await migrate(db, S());
  const store = new PgStore({ db, host: 'h1', lease });
  const fleet = new PgFleet({ db, host: 'h1' });
  const root = await mkdtemp(path.join(tmpdir(), 'certfleet-pg-live-'));
  const live = new LiveDirectory({ root });
  const admin = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  let hosts = 1;

  /** What the host's daemon does on a notification or at reconnect: write what it has not delivered. */
  const deliver = async () => {
    for (const change of await fleet.undelivered(S())) {
      const cert = await store.load(change.name, S());
      if (!cert) continue;
      await live.write(cert, S());
      await fleet.markDelivered({ name: cert.meta.name, version: cert.meta.version }, S());
    }
  };

  return {
    store, url, db, fleet, live, admin,
    reopen: () => new PgStore({ db: open(), host: `h${++hosts}`, lease }),
    abandonLock: async (name) => {
      // What a SIGKILLed holder leaves: its row, no longer renewed, past its expiry.
      const r = await admin(`UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = $1`, [name]);
      if (r.rowCount === 0) throw new Error(`${name} is not locked`);
    },
    failNthWrite: async (n) => {
      await admin(FAULT_SQL);
      await admin('TRUNCATE test_fault');
      await admin('INSERT INTO test_fault VALUES ($1)', [n]);
      await admin('ALTER SEQUENCE test_fault_writes RESTART WITH 1');
      hit = false;
      return {
        hit: () => hit,
        // The count has passed n once it hit; otherwise disarm it before anything else writes.
        restore: () => { void admin('TRUNCATE test_fault').catch(() => undefined); },
      };
    },
    readServed: async (name) => {
      await deliver();
      return servedFiles(root, name);
    },
    debris: async () => {
      // An event of a version that is not the certificate's (a torn save), and the local dir's leftovers.
      const torn = await admin(`SELECT e.name, e.version FROM events e LEFT JOIN certificates c ON c.name = e.name
        WHERE c.version IS NULL OR e.version > c.version`);
      return [...torn.rows.map((r: { name: string; version: number }) => `events/${r.name}/${r.version}`), ...await findDebris(root)];
    },
    cleanup: async () => {
      await Promise.all(dbs.map((d) => d.end().catch(() => undefined)));
      await rm(root, { recursive: true, force: true });
    },
  };
}
