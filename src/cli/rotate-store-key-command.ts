import { errorMessage } from '../errors.js';
import { loadStoreKey } from '../store/state-cipher.js';
import { storeFor } from '../store/store-for-config.js';
import { configFor, parseCommand, UsageError } from './cli-options.js';

/**
 * `certfleet rotate-store-key`: decrypts every account key with the current store key (or reads
 * it in the clear when there was none) and writes it encrypted under the new one. Then point
 * `store.encryption_key_file` (or CERTFLEET_STORE_KEY) at the new key.
 */
export async function runRotateStoreKey(args: string[]): Promise<number> {
  const values = parseCommand(args, { 'new-key-file': { type: 'string' } });
  if (!values['new-key-file']) throw new UsageError('rotate-store-key needs --new-key-file FILE (32 bytes, base64 or hex: openssl rand -base64 32)');
  const config = await configFor(values);
  if (!config) return 2;
  try {
    const next = loadStoreKey(values['new-key-file']);
    if (!next) throw new UsageError(`${values['new-key-file']} is empty`);
    const n = await storeFor(config).rotateKey(next, AbortSignal.timeout(5 * 60_000));
    process.stdout.write(`re-encrypted ${n} account key${n === 1 ? '' : 's'}; now set store.encryption_key_file to ${values['new-key-file']}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    process.stderr.write(`certfleet: ${errorMessage(err)}\n`);
    return 1;
  }
}
