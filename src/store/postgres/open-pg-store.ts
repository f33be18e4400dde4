import type { StateCipher } from '../state-cipher.js';
import { openPool } from './pg-connection.js';
import { PgDatabase } from './pg-database.js';
import { PgFleet } from './pg-fleet.js';
import type { LeaseTiming } from './pg-lease.js';
import { PgManagedCertificates } from './pg-managed.js';
import { migrate } from './pg-migrations.js';
import { PgStore } from './pg-store.js';

export interface OpenPgStoreOptions {
  url: string;
  host: string;
  cipher?: StateCipher | undefined;
  lease?: LeaseTiming;
  /** Pool size (the LISTEN connection is one more). */
  maxConnections?: number;
}

export interface OpenedPgStore {
  store: PgStore;
  fleet: PgFleet;
  managed: PgManagedCertificates;
  db: PgDatabase;
  close(): Promise<void>;
}

/**
 * Connects, brings the schema up to date (pg-migrations.ts) and returns the store's seams. The
 * first query is the connection check: an unreachable database, a refused password or TLS fail
 * here with one STORE_DB error naming host and port.
 */
export async function openPgStore(opts: OpenPgStoreOptions, signal: AbortSignal): Promise<OpenedPgStore> {
  const db = new PgDatabase(openPool(opts.url, { max: opts.maxConnections ?? 5, applicationName: `certfleet ${opts.host}` }), opts.url);
  try {
    await migrate(db, signal);
  } catch (err) {
    await db.end().catch(() => undefined);
    throw err;
  }
  return {
    db,
    store: new PgStore({ db, host: opts.host, cipher: opts.cipher, ...(opts.lease ? { lease: opts.lease } : {}) }),
    fleet: new PgFleet({ db, host: opts.host }),
    managed: new PgManagedCertificates(db),
    close: () => db.end(),
  };
}
