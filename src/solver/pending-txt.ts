import { relativeName } from '../dns-name.js';
import { errorMessage } from '../errors.js';
import type { DnsProvider, DnsRecord } from '../dns/dns-provider.js';
import { retryDns } from '../dns/dns-retry.js';
import type { Logger } from '../log.js';
import type { PendingTxt, RenewalState } from '../store/renewal-state.js';
import type { CertificateStore, Lease } from '../store/certificate-store.js';
import type { StateUpdates } from './state-updates.js';
import { lockTxtNames } from './txt-name-locks.js';

/** Forgetting what was deleted is a local write that must not be cut short by the spent DNS budget. */
const UNBOUNDED = new AbortController().signal;

const same = (a: PendingTxt, b: PendingTxt) => a.provider === b.provider && a.zone === b.zone && a.name === b.name && a.value === b.value;

/**
 * The certificate's note of challenge TXT values that may be in DNS (`pendingTxt` in its state).
 * An entry is written, durably and under the certificate's lease, before its value is sent to the
 * provider, and goes once the value is known to be deleted (or was provably never written). What a
 * killed run leaves is removed by removeLeftoverTxt, value by value: never anything certfleet did
 * not write.
 */
export class PendingTxtLedger {
  constructor(private readonly updates: StateUpdates, readonly certificate: string, private readonly lease: Lease) {}

  async record(entries: PendingTxt[], signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (entries.length === 0) return;
    await this.updates.update(this.certificate, (s) => withPending(s, [...(s.pendingTxt ?? []), ...entries.filter((e) => !s.pendingTxt?.some((p) => same(p, e)))]), { lease: this.lease }, signal);
  }

  /**
   * Forgets entries; `signal` is the cleanup's own budget (it runs even after the issuance was
   * aborted). While the certificate's state is held (StateUpdates.hold: an issuance), the change
   * goes with its next write: lost in a crash, it only makes the next look delete them again.
   */
  async clear(entries: PendingTxt[], signal: AbortSignal): Promise<void> {
    if (entries.length === 0) return;
    await this.updates.updateLater(this.certificate, (s) => withPending(s, (s.pendingTxt ?? []).filter((p) => !entries.some((e) => same(p, e)))), { lease: this.lease }, signal);
  }
}

function withPending(state: RenewalState, pending: PendingTxt[]): RenewalState {
  const { pendingTxt: _old, ...rest } = state;
  return pending.length > 0 ? { ...rest, pendingTxt: pending } : rest;
}

export function recordOf(e: PendingTxt): DnsRecord {
  return { name: relativeName(e.name, e.zone), type: 'TXT', data: e.value, ttl: e.ttl };
}

/**
 * Deletes `entries` (left by an interrupted run of the ledger's certificate) under their TXT
 * name locks, retrying for the whole `budget`, and forgets those deleted. Call it holding the
 * certificate lock: then no run of this certificate is using them. Returns how many are left.
 */
export async function removeLeftoverTxt(o: {
  store: Pick<CertificateStore, 'lockTxtName'>;
  ledger: PendingTxtLedger;
  entries: PendingTxt[];
  provider: (id: string) => DnsProvider | undefined;
  log: Logger;
  budget: AbortSignal;
}): Promise<number> {
  if (o.entries.length === 0) return 0;
  const groups = new Map<string, PendingTxt[]>();
  for (const e of o.entries) groups.set(`${e.provider} ${e.zone}`, [...(groups.get(`${e.provider} ${e.zone}`) ?? []), e]);
  const unlock = await lockTxtNames(o.store, o.entries.map((e) => e.name), o.budget);
  const removed: PendingTxt[] = [];
  try {
    await Promise.all([...groups.values()].map(async (list) => {
      const { provider: id, zone } = list[0]!;
      const names = [...new Set(list.map((e) => e.name))];
      const provider = o.provider(id);
      if (!provider) {
        o.log.error({ provider: id, zone, names }, 'txt_leftover_provider_missing');
        return;
      }
      try {
        await retryDns((s) => provider.deleteRecords(zone, list.map(recordOf), s), o.budget);
        removed.push(...list);
        o.log.info({ provider: id, zone, names, values: list.length }, 'txt_leftovers_removed');
      } catch (err) {
        o.log.error({ provider: id, zone, names, error: errorMessage(err) }, 'cleanup_failed');
      }
    }));
  } finally {
    await o.ledger.clear(removed, UNBOUNDED).catch((err: unknown) => o.log.error({ error: errorMessage(err) }, 'state_write_failed'));
    await unlock();
  }
  return o.entries.length - removed.length;
}
