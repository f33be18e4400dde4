import { KeyedMutex } from '../dns/keyed-mutex.js';
import type { RenewalState } from '../scheduler/renewal-policy.js';
import type { FileStore } from '../store/file-store.js';

/**
 * Read-modify-write of `state/<name>.json`, one at a time per certificate in this process: the
 * renewal's result and its TXT cleanup (which may still run) both change the state, and neither
 * may write back a copy read before the other's change. Across processes the certificate lock
 * serialises them.
 */
export class StateUpdates {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly store: FileStore) {}

  update(name: string, change: (state: RenewalState) => RenewalState): Promise<RenewalState> {
    return this.mutex.run(name, async () => {
      const next = change(await this.store.readState(name));
      await this.store.writeState(name, next);
      return next;
    });
  }
}
