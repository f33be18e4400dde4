import { KeyedMutex } from '../dns/keyed-mutex.js';
import type { FileStore } from '../store/file-store.js';

/** In front of the lock files: waiters in one process are handed the name at once, not by polling. */
const inProcess = new KeyedMutex();

/**
 * Holds every TXT name in `fqdns` against every other writer of that name, in this process and
 * others on the store, until the returned function is called. Names are taken in sorted order,
 * so two certificates that share several names never each hold one the other waits for.
 */
export async function lockTxtNames(store: FileStore, fqdns: string[], signal: AbortSignal): Promise<() => Promise<void>> {
  const names = [...new Set(fqdns.map((n) => n.toLowerCase().replace(/\.$/, '')))].sort();
  const held: (() => Promise<void>)[] = [];
  const releaseAll = async () => {
    for (const release of held.splice(0).reverse()) await release();
  };
  try {
    for (const name of names) {
      const local = await inProcess.acquire(`${store.root}\n${name}`, signal);
      try {
        const file = await store.lockTxtName(name, signal);
        held.push(async () => {
          try {
            await file[Symbol.asyncDispose]();
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
