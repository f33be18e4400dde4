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
  /** Connects and migrates now (otherwise done before the first query): where start-time errors surface. */
  ready: (signal: AbortSignal) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The store's seams over one pool, built without I/O. The first query (or `ready`) connects and
 * brings the schema up to date (pg-migrations.ts): an unreachable database, a refused password
 * or TLS fail there with one STORE_DB error naming host and port, a newer schema with STORE_SCHEMA.
 */
export function openPgStore(opts: OpenPgStoreOptions): OpenedPgStore {
  const db = new PgDatabase(openPool(opts.url, { max: opts.maxConnections ?? 5, applicationName: `certfleet ${opts.host}` }), opts.url, { prepare: migrate });
  return {
    db,
    store: new PgStore({ db, host: opts.host, cipher: opts.cipher, ...(opts.lease ? { lease: opts.lease } : {}) }),
    fleet: new PgFleet({ db, host: opts.host }),
    managed: new PgManagedCertificates(db),
    ready: (signal) => db.ready(signal),
    close: () => db.end(),
  };
}
