import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { AccountStore, CertificateStore, LocalCertificateDirectory } from './certificate-store.js';
import { FileStore, type StoreLog } from './file-store.js';
import type { FleetStore } from './fleet-store.js';
import { LiveDirectory } from './live-directory.js';
import { openPgStore } from './postgres/open-pg-store.js';
import { loadStoreKey } from './state-cipher.js';
import type { ManagedCertificateStore } from './managed-certificates.js';
import { ManagedDirectory } from './managed-directory.js';

/** The store a config describes, seam by seam; built without I/O. */
export interface ConfiguredStores {
  /** The store of record: FileStore, or the PostgreSQL store. */
  store: CertificateStore & AccountStore;
  /** This host's live/: the FileStore itself, or a LiveDirectory over `store.path`. */
  local: LocalCertificateDirectory;
  /** Only for `store.type: postgres`. */
  fleet?: FleetStore;
  /** The API's certificates: the PostgreSQL store's own table, or `managed/` beside the directory store's files. */
  managed: ManagedCertificateStore;
  /** Lease TTL in ms (postgres): a certificate another host holds is looked at again after it. */
  leaseTtlMs?: number;
  /**
   * Connects and migrates now (postgres; otherwise done before the first query): call at start,
   * so an unreachable database is one STORE_DB error (exit 2) before anything else runs.
   */
  ready: (signal: AbortSignal) => Promise<void>;
  /** Ends the pool and the LISTEN connection. */
  close: () => Promise<void>;
}

/** This host's fleet id: `store.host`, by default the hostname. */
export function fleetHost(config: Config): string {
  return (config.store.type === 'postgres' ? config.store.host : undefined) ?? hostname();
}

export interface StoresOptions {
  /** Where the directory store reports its index. */
  log?: StoreLog | undefined;
  /** A stored API certificate that cannot be read (the directory store's `managed/`): reported, then skipped. */
  onManagedCorrupt?: ((file: string, problem: string) => void) | undefined;
}

export function storesFor(config: Config, env: NodeJS.ProcessEnv = process.env, o: StoresOptions = {}): ConfiguredStores {
  if (config.store.type !== 'postgres') {
    const store = storeFor(config, env, o.log);
    const managed = new ManagedDirectory({ root: config.store.path, ...(o.onManagedCorrupt ? { onCorrupt: o.onManagedCorrupt } : {}) });
    return { store, local: store, managed, ready: () => Promise.resolve(), close: () => Promise.resolve() };
  }
  const cipher = loadStoreKey(config.store.encryption_key_file, env);
  const ttl = config.store.lease_ttl;
  const pg = openPgStore({ url: config.store.url!.reveal(), host: fleetHost(config), cipher, lease: { ttlMs: ttl, heartbeatMs: Math.max(100, Math.floor(ttl / 3)) } });
  return {
    store: pg.store, local: new LiveDirectory({ root: config.store.path }), fleet: pg.fleet, managed: pg.managed,
    leaseTtlMs: ttl, ready: pg.ready, close: pg.close,
  };
}

/** The directory at `store.path` as a directory store (commands that work on it alone); storesFor knows both types. */
export function storeFor(config: Config, env: NodeJS.ProcessEnv = process.env, log?: StoreLog): FileStore {
  return new FileStore({ root: config.store.path, cipher: loadStoreKey(config.store.encryption_key_file, env), log });
}
