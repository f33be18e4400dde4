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
    store: deferred<CertificateStore & AccountStore>(async () => (await pg()).store),
    local: new LiveDirectory({ root: config.store.path }),
    fleet: deferred<FleetStore>(async () => (await pg()).fleet, { host }),
    managed: deferred<ManagedCertificateStore>(async () => (await pg()).managed),
    leaseTtlMs: ttl,
    ready: async (signal) => (await pg()).ready(signal),
    close: async () => { if (opened) await (await opened).close(); },
  };
}

/**
 * A seam whose implementation `load` gives on the first call: every method of `T` (its other
 * members are `fixed`). Once loaded, a call is the implementation's own call. Before, a call
 * returns a promise of its result that is also an async iterable of it, so a method that returns
 * a promise and one that returns an async iterable (`schedules`) both work without a list of
 * which is which; a method the implementation lacks rejects. Not thenable itself, so it can be
 * returned from an async function.
 */
export function deferred<T extends object>(load: () => Promise<T>, fixed: Partial<T> = {}): T {
  let impl: Record<PropertyKey, unknown> | undefined;
  let loading: Promise<Record<PropertyKey, unknown>> | undefined;
  const loaded = () => loading ??= load().then((t) => (impl = t as Record<PropertyKey, unknown>));
  const methods = new Map<string, (...args: unknown[]) => unknown>();
  const method = (name: string) => (...args: unknown[]): unknown => {
    if (impl) return (impl[name] as (...a: unknown[]) => unknown).apply(impl, args);
    const result = loaded().then((t) => (t[name] as (...a: unknown[]) => unknown).apply(t, args));
    return Object.assign(result, { async *[Symbol.asyncIterator]() { yield* (await result) as AsyncIterable<unknown>; } });
  };
  return new Proxy(fixed, {
    get(target, prop) {
      if (Object.hasOwn(target, prop)) return (target as Record<PropertyKey, unknown>)[prop];
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      let m = methods.get(prop);
      if (!m) methods.set(prop, m = method(prop));
      return m;
    },
  }) as T;
}

/** The directory at `store.path` as a directory store (commands that work on it alone); storesFor knows both types. */
export function storeFor(config: Config, env: NodeJS.ProcessEnv = process.env, log?: StoreLog): FileStore {
  return new FileStore({ root: config.store.path, cipher: loadStoreKey(config.store.encryption_key_file, env), log });
}
