import type { DnsProvider, DnsRecord } from './dns-provider.js';
import { recordKey } from './rrset.js';

type Kind = 'append' | 'delete';

interface Waiter {
  kind: Kind;
  records: DnsRecord[];
  signal: AbortSignal;
  resolve: (added: DnsRecord[]) => void;
  reject: (err: unknown) => void;
}

/** Records per provider call; beyond it the rest goes in the next call. */
const MAX_BATCH_RECORDS = 100;

/**
 * Group commit for concurrent certificates: a write to an idle zone goes out at once; while it is
 * in flight, further appends (or deletes) to that zone wait and then go out together in one
 * provider call. Ten certificates in one PowerDNS zone cost a few PATCHes instead of ten
 * serialised read-and-PATCH pairs, and an apex and its wildcard never queue behind each other.
 */
export class BatchingProvider implements DnsProvider {
  readonly id: string;
  private readonly queues = new Map<string, { busy: boolean; waiting: Waiter[] }>();

  constructor(private readonly inner: DnsProvider) {
    this.id = inner.id;
  }

  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.enqueue(zone, 'append', records, signal);
  }

  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.enqueue(zone, 'delete', records, signal);
  }

  private enqueue(zone: string, kind: Kind, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<DnsRecord[]>((resolve, reject) => {
      const queue = this.queues.get(zone) ?? { busy: false, waiting: [] };
      this.queues.set(zone, queue);
      // Aborted while waiting or in flight: answered at once. A write already sent may still land;
      // callers note their records before calling, so their cleanup removes them either way.
      const onAbort = () => {
        const at = queue.waiting.indexOf(waiter);
        if (at >= 0) queue.waiting.splice(at, 1);
        reject(abortError(signal));
      };
      // Settled either way, the listener goes: a long-lived signal does not collect them.
      const waiter: Waiter = {
        kind, records, signal,
        resolve: (added) => { signal.removeEventListener('abort', onAbort); resolve(added); },
        reject: (err) => { signal.removeEventListener('abort', onAbort); reject(err instanceof Error ? err : new Error(String(err))); },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.waiting.push(waiter);
      if (!queue.busy) void this.flush(zone, queue);
    });
  }

  private async flush(zone: string, queue: { busy: boolean; waiting: Waiter[] }): Promise<void> {
    queue.busy = true;
    while (queue.waiting.length > 0) {
      // The leading run of one kind, in arrival order: an append and a delete never share a call.
      const kind = queue.waiting[0]!.kind;
      const batch: Waiter[] = [];
      let count = 0;
      while (queue.waiting[0]?.kind === kind && (batch.length === 0 || count + queue.waiting[0].records.length <= MAX_BATCH_RECORDS)) {
        const w = queue.waiting.shift()!;
        batch.push(w);
        count += w.records.length;
      }
      const { signal, release } = allAborted(batch.map((w) => w.signal));
      try {
        const records = batch.flatMap((w) => w.records);
        const done = kind === 'append'
          ? await this.inner.appendRecords(zone, records, signal)
          : await this.inner.deleteRecords(zone, records, signal);
        // Each record done goes to one waiter only, the first that asked: two certificates asking
        // for one value get it created once, and only the first may count it as its own.
        const doneKeys = new Set(done.map((r) => recordKey(zone, r)));
        for (const w of batch) {
          w.resolve(w.records.filter((r) => {
            const k = recordKey(zone, r);
            return doneKeys.delete(k);
          }));
        }
      } catch (err) {
        for (const w of batch) w.reject(err);
      } finally {
        release();
      }
    }
    queue.busy = false;
    this.queues.delete(zone);
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

/**
 * A signal that aborts once every one of `signals` has: one caller giving up does not cancel the
 * others' write. `release` removes its listeners when the call is over.
 */
function allAborted(signals: AbortSignal[]): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const check = () => {
    if (signals.every((s) => s.aborted)) controller.abort(signals[signals.length - 1]!.reason);
  };
  for (const s of signals) s.addEventListener('abort', check, { once: true });
  check();
  return { signal: controller.signal, release: () => { for (const s of signals) s.removeEventListener('abort', check); } };
}
