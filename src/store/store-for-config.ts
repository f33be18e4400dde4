import type { Config } from '../config/schema.js';
import { FileStore } from './file-store.js';
import { loadStoreKey } from './state-cipher.js';

/** The store a config describes, with its encryption key when one is configured. */
export function storeFor(config: Config, env: NodeJS.ProcessEnv = process.env): FileStore {
  return new FileStore({ root: config.store.path, cipher: loadStoreKey(config.store.encryption_key_file, env) });
}
