import type { Config } from '../config/schema.js';
import { FileStore } from './file-store.js';
import { loadStoreKey } from './state-cipher.js';
import type { ManagedCertificateStore } from './managed-certificates.js';
import { ManagedDirectory } from './managed-directory.js';

/** The store a config describes, with its encryption key when one is configured. */
export function storeFor(config: Config, env: NodeJS.ProcessEnv = process.env): FileStore {
  return new FileStore({ root: config.store.path, cipher: loadStoreKey(config.store.encryption_key_file, env) });
}

/**
 * Where the certificates added through the API are kept: beside the directory store's own files.
 * (Fleet mode's PostgreSQL store brings its own ManagedCertificateStore.)
 */
export function managedStoreFor(config: Config, onCorrupt?: (file: string, problem: string) => void): ManagedCertificateStore {
  return new ManagedDirectory({ root: config.store.path, ...(onCorrupt ? { onCorrupt } : {}) });
}
