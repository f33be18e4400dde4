import { KeyedMutex } from '../dns/keyed-mutex.js';
import { CertfleetError } from '../errors.js';
import type { RenewalState } from '../store/renewal-state.js';
import type { CertificateStore, Lease } from '../store/certificate-store.js';

/** How a state write is guarded: under the certificate's lease, or by compare-and-set on its version. */
export type StateGuard = { lease: Lease } | 'compare-and-set';

const mutexes = new WeakMap<object, KeyedMutex>();

/** A compare-and-set that lost this many times in a row gives up (the error is the store's). */
const CAS_ATTEMPTS = 5;

/**
 * Read-modify-write of a certificate's schedule state, one at a time per certificate in this
 * process: the renewal's result and its TXT cleanup (which may still run) both change the state,
 * and neither may write back a copy read before the other's change. Across processes the lease
 * (fenced) or the version (compare-and-set, retried on STORE_CONFLICT) keeps writes from crossing.
 */
export class StateUpdates {
  private readonly mutex: KeyedMutex;

  constructor(private readonly store: Pick<CertificateStore, 'readState' | 'writeState'>) {
    // One per store, shared by every StateUpdates over it (the pipeline's and the solver's): a
    // write under the lease is not compared with the version, so two would lose each other's change.
    let mutex = mutexes.get(store);
    if (!mutex) mutexes.set(store, mutex = new KeyedMutex());
    this.mutex = mutex;
  }

  update(name: string, change: (state: RenewalState) => RenewalState, guard: StateGuard, signal: AbortSignal): Promise<RenewalState> {
    return this.mutex.run(name, async () => {
      for (let attempt = 1; ; attempt++) {
        const { state, version } = await this.store.readState(name, signal);
        const next = change(state);
        try {
          await this.store.writeState(name, next, guard === 'compare-and-set' ? { expectedVersion: version } : guard, signal);
          return next;
        } catch (err) {
          if (guard !== 'compare-and-set' || !isConflict(err) || attempt >= CAS_ATTEMPTS) throw err;
        }
      }
    });
  }
}

const isConflict = (err: unknown) => err instanceof CertfleetError && err.code === 'STORE_CONFLICT';
