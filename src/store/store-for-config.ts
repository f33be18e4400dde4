import type { Config } from '../config/schema.js';
import { FileStore, type StoreLog } from './file-store.js';
import { loadStoreKey } from './state-cipher.js';

/** The store a config describes, with its encryption key when one is configured. */
export function storeFor(config: Config, env: NodeJS.ProcessEnv = process.env, log?: StoreLog): FileStore {
  return new FileStore({ root: config.store.path, cipher: loadStoreKey(config.store.encryption_key_file, env), log });
}
