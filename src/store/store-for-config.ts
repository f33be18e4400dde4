import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { AccountStore, CertificateStore, LocalCertificateDirectory } from './certificate-store.js';
import { FileStore, type StoreLog } from './file-store.js';
import type { FleetStore } from './fleet-store.js';
import { LiveDirectory } from './live-directory.js';
import type { OpenedPgStore } from './postgres/open-pg-store.js';
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
  const url = config.store.url!.reveal();
  const host = fleetHost(config);
  // The PostgreSQL store's code and `pg` (about 1.5 MB of heap and 0.4 MB of source once loaded)
  // are imported on the first call, so a daemon on the directory store never loads them; every
  // seam here is asynchronous, so the first call waits for the import like any other I/O.
  let opened: Promise<OpenedPgStore> | undefined;
  const pg = () => opened ??= import('./postgres/open-pg-store.js').then((m) => m.openPgStore({ url, host, cipher, lease: { ttlMs: ttl, heartbeatMs: Math.max(100, Math.floor(ttl / 3)) } }));
  return {
    store: deferred(async () => (await pg()).store, STORE_METHODS),
    local: new LiveDirectory({ root: config.store.path }),
    fleet: Object.assign(deferred(async () => (await pg()).fleet, FLEET_METHODS), { host }),
    managed: deferred(async () => (await pg()).managed, MANAGED_METHODS),
    leaseTtlMs: ttl,
    ready: async (signal) => (await pg()).ready(signal),
    close: async () => { if (opened) await (await opened).close(); },
  };
}

/** Method names of a seam, every one listed (the compiler checks the list against the interface). */
type MethodList<T> = { [K in keyof T as T[K] extends (...args: never[]) => Promise<unknown> ? K : never]-?: true };
const STORE_METHODS: MethodList<CertificateStore & AccountStore> = {
  load: true, readMeta: true, list: true, save: true, lock: true, tryLock: true, lockTxtName: true, readState: true, writeState: true,
  preflight: true, sweep: true, writable: true, readAccount: true, writeAccount: true, readPace: true, writePace: true,
  readIssuerCertificate: true, writeIssuerCertificate: true,
};
const FLEET_METHODS: MethodList<FleetStore> = { watch: true, undelivered: true, markDelivered: true, heartbeat: true, status: true };
const MANAGED_METHODS: MethodList<ManagedCertificateStore> = { listManaged: true, getManaged: true, putManaged: true, deleteManaged: true };

/**
 * `T`'s asynchronous methods, each calling the implementation `load` gives (loaded once, on the
 * first call). Only for seams whose every method returns a promise: `T`'s other members must be
 * added by the caller.
 */
export function deferred<T extends object>(load: () => Promise<T>, methods: MethodList<T>): T {
  let loaded: Promise<T> | undefined;
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    out[name] = async (...args) => {
      const target = await (loaded ??= load()) as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return target[name]!(...args);
    };
  }
  return out as unknown as T;
}

/** The directory at `store.path` as a directory store (commands that work on it alone); storesFor knows both types. */
export function storeFor(config: Config, env: NodeJS.ProcessEnv = process.env, log?: StoreLog): FileStore {
  return new FileStore({ root: config.store.path, cipher: loadStoreKey(config.store.encryption_key_file, env), log });
}
