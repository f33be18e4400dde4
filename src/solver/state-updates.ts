import { KeyedMutex } from '../dns/keyed-mutex.js';
import { CertfleetError } from '../errors.js';
import type { RenewalState } from '../store/renewal-state.js';
import type { CertificateStore, Lease } from '../store/certificate-store.js';

/** How a state write is guarded: under the certificate's lease, or by compare-and-set on its version. */
export type StateGuard = { lease: Lease } | 'compare-and-set';

type Change = (state: RenewalState) => RenewalState;

/** What every StateUpdates over one store shares: the per-name mutex, and the changes held back per name. */
interface Shared {
  mutex: KeyedMutex;
  held: Map<string, Change[]>;
}

const shared = new WeakMap<object, Shared>();

/** A compare-and-set that lost this many times in a row gives up (the error is the store's). */
const CAS_ATTEMPTS = 5;

/**
 * Read-modify-write of a certificate's schedule state, one at a time per certificate in this
 * process: the renewal's result and its TXT cleanup (which may still run) both change the state,
 * and neither may write back a copy read before the other's change. Across processes the lease
 * (fenced) or the version (compare-and-set, retried on STORE_CONFLICT) keeps writes from crossing.
 */
export class StateUpdates {
  private readonly shared: Shared;

  constructor(private readonly store: Pick<CertificateStore, 'readState' | 'writeState'>) {
    // One per store, shared by every StateUpdates over it (the pipeline's and the solver's): a
    // write under the lease is not compared with the version, so two would lose each other's change.
    let s = shared.get(store);
    if (!s) shared.set(store, s = { mutex: new KeyedMutex(), held: new Map() });
    this.shared = s;
  }

  /**
   * Writes `change` (with any change held back for `name`, applied first). A change that leaves
   * the state as it is writes nothing.
   */
  update(name: string, change: Change, guard: StateGuard, signal: AbortSignal): Promise<RenewalState> {
    return this.shared.mutex.run(name, () => this.write(name, change, guard, signal));
  }

  /**
   * From now until `release(name)`, changes given to `updateLater` for `name` are not written on
   * their own but with the next `update` of `name`, or by `release`: for a change whose loss in a
   * crash costs nothing but a repeated step (the TXT ledger forgetting values already deleted:
   * the next look deletes them again). An issuance holds its state this way between its ledger
   * note and its result, which then carries the cleanup's change in the same write.
   */
  hold(name: string): void {
    if (!this.shared.held.has(name)) this.shared.held.set(name, []);
  }

  /** `update`, or, while `name` is held, the change kept for the next write (see hold). */
  async updateLater(name: string, change: Change, guard: StateGuard, signal: AbortSignal): Promise<void> {
    const held = this.shared.held.get(name);
    if (held) held.push(change);
    else await this.update(name, change, guard, signal);
  }

  /** Ends `hold`: what is still held back is written now. */
  release(name: string, guard: StateGuard, signal: AbortSignal): Promise<void> {
    return this.shared.mutex.run(name, async () => {
      const held = this.shared.held.get(name);
      this.shared.held.delete(name);
      if (held?.length) await this.write(name, (s) => s, guard, signal, held);
    });
  }

  /** Under the mutex: read, apply what is held back and `change`, write unless nothing changed. */
  private async write(name: string, change: Change, guard: StateGuard, signal: AbortSignal, held = this.shared.held.get(name)): Promise<RenewalState> {
    const earlier = held?.splice(0) ?? [];
    try {
      for (let attempt = 1; ; attempt++) {
        const { state, version } = await this.store.readState(name, signal);
        const next = change(earlier.reduce((s, c) => c(s), state));
        // Nothing to write (a ledger with nothing to forget, a result already recorded): no file, no fsync.
        if (JSON.stringify(next) === JSON.stringify(state)) return state;
        try {
          await this.store.writeState(name, next, guard === 'compare-and-set' ? { expectedVersion: version } : guard, signal);
          return next;
        } catch (err) {
          if (guard !== 'compare-and-set' || !isConflict(err) || attempt >= CAS_ATTEMPTS) throw err;
        }
      }
    } catch (err) {
      // Not written: held back again for the next write (or the release).
      const still = this.shared.held.get(name);
      if (still) still.unshift(...earlier);
      throw err;
    }
  }
}

const isConflict = (err: unknown) => err instanceof CertfleetError && err.code === 'STORE_CONFLICT';
