import { KeyedMutex } from '../dns/keyed-mutex.js';
import { canonicalName } from '../dns-name.js';
import type { CertificateStore } from '../store/certificate-store.js';

/** In front of the store's locks: waiters in one process are handed the name at once, not by polling. */
const inProcess = new WeakMap<object, KeyedMutex>();

/**
 * Holds every TXT name in `fqdns` against every other writer of that name, in this process and
 * others on the store, until the returned function is called. Names are taken in sorted order,
 * so two certificates that share several names never each hold one the other waits for.
 */
export async function lockTxtNames(store: Pick<CertificateStore, 'lockTxtName'>, fqdns: string[], signal: AbortSignal): Promise<() => Promise<void>> {
  const names = [...new Set(fqdns.map(canonicalName))].sort();
  let mutex = inProcess.get(store);
  if (!mutex) inProcess.set(store, mutex = new KeyedMutex());
  const held: (() => Promise<void>)[] = [];
  const releaseAll = async () => {
    for (const release of held.splice(0).reverse()) await release();
  };
  try {
    for (const name of names) {
      const local = await mutex.acquire(name, signal);
      try {
        const lease = await store.lockTxtName(name, signal);
        held.push(async () => {
          try {
            await lease.release();
          } finally {
            local();
          }
        });
      } catch (err) {
        local();
        throw err;
      }
    }
  } catch (err) {
    await releaseAll();
    throw err;
  }
  return releaseAll;
}
