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

export interface BatchingOptions {
  /**
   * How long a delete may wait for the deletes of other certificates whose records are up in
   * the same zone (0: none waits). A delete waits only while such records are up, and goes at
   * once when the last of them is deleted: a lone certificate's cleanup never waits.
   */
  deleteLingerMs?: number;
}

/** Per zone: the records appended and not yet deleted (by count), and the deletes held back. */
interface ZoneCleanups {
  up: Map<string, number>;
  parked: Waiter[];
  timer?: NodeJS.Timeout | undefined;
}

/**
 * Group commit for concurrent certificates: a write to an idle zone goes out at once; while it is
 * in flight, further appends (or deletes) to that zone wait and then go out together in one
 * provider call. Ten certificates in one PowerDNS zone cost a few PATCHes instead of ten
 * serialised read-and-PATCH pairs, and an apex and its wildcard never queue behind each other.
 */
export class BatchingProvider implements DnsProvider {
  readonly id: string;
  private readonly queues = new Map<string, { busy: boolean; waiting: Waiter[] }>();
  private readonly cleanups = new Map<string, ZoneCleanups>();
  private readonly deleteLingerMs: number;

  constructor(private readonly inner: DnsProvider, opts: BatchingOptions = {}) {
    this.id = inner.id;
    this.deleteLingerMs = opts.deleteLingerMs ?? 0;
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
      // Aborted while parked, waiting or in flight: answered at once. A write already sent may
      // still land; callers note their records before calling, so their cleanup removes them either way.
      const onAbort = () => {
        this.unpark(zone, waiter);
        const queue = this.queues.get(zone);
        const at = queue ? queue.waiting.indexOf(waiter) : -1;
        if (at >= 0) queue!.waiting.splice(at, 1);
        reject(abortError(signal));
      };
      // Settled either way, the listener goes: a long-lived signal does not collect them.
      const waiter: Waiter = {
        kind, records, signal,
        resolve: (added) => { signal.removeEventListener('abort', onAbort); resolve(added); },
        reject: (err) => { signal.removeEventListener('abort', onAbort); reject(err instanceof Error ? err : new Error(String(err))); },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (kind === 'delete' && this.park(zone, waiter)) return;
      this.send(zone, [waiter]);
    });
  }

  private send(zone: string, waiters: Waiter[]): void {
    if (waiters.length === 0) return;
    const queue = this.queues.get(zone) ?? { busy: false, waiting: [] };
    this.queues.set(zone, queue);
    queue.waiting.push(...waiters);
    if (!queue.busy) void this.flush(zone, queue);
  }

  /**
   * Holds a delete back while other records appended through this provider are still up in the
   * zone: their certificates' cleanups follow within moments, and the deletes then go in one
   * call (a PowerDNS read and PATCH, or one API call of a rate-limited provider, for several
   * certificates). The last delete, or the linger running out, sends all held back. True when
   * `waiter` was held.
   */
  private park(zone: string, waiter: Waiter): boolean {
    if (this.deleteLingerMs <= 0) return false;
    const c = this.cleanups.get(zone);
    if (!c) return false;
    takeDown(c, zone, waiter.records);
    if (c.up.size === 0) {
      this.releaseParked(zone, [waiter]);
      return true;
    }
    c.parked.push(waiter);
    c.timer ??= setTimeout(() => this.releaseParked(zone, []), this.deleteLingerMs);
    return true;
  }

  private releaseParked(zone: string, more: Waiter[]): void {
    const c = this.cleanups.get(zone);
    const parked = c ? c.parked.splice(0) : [];
    if (c) {
      clearTimeout(c.timer);
      c.timer = undefined;
      if (c.up.size === 0) this.cleanups.delete(zone);
    }
    this.send(zone, [...parked, ...more]);
  }

  private unpark(zone: string, waiter: Waiter): void {
    const c = this.cleanups.get(zone);
    const at = c ? c.parked.indexOf(waiter) : -1;
    if (at >= 0) c!.parked.splice(at, 1);
  }

  /** Records now up in `zone` through this provider (appends sent), counted for park(). */
  private noteUp(zone: string, records: DnsRecord[]): void {
    if (this.deleteLingerMs <= 0) return;
    const c = this.cleanups.get(zone) ?? { up: new Map<string, number>(), parked: [] };
    this.cleanups.set(zone, c);
    for (const r of records) {
      const k = recordKey(zone, r);
      c.up.set(k, (c.up.get(k) ?? 0) + 1);
    }
  }

  /** An append answered with an error is not counted as up: no delete waits for its cleanup. */
  private noteNotUp(zone: string, records: DnsRecord[]): void {
    const c = this.cleanups.get(zone);
    if (!c) return;
    takeDown(c, zone, records);
    if (c.up.size === 0) this.releaseParked(zone, []);
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
      const records = batch.flatMap((w) => w.records);
      if (kind === 'append') this.noteUp(zone, records);
      try {
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
        // Whether they landed is the callers' to judge; a cleanup that follows is sent at once.
        if (kind === 'append') this.noteNotUp(zone, records);
        for (const w of batch) w.reject(err);
      } finally {
        release();
      }
    }
    queue.busy = false;
    this.queues.delete(zone);
  }
}

/** `records` no longer up in the zone: one count each off `c.up`. */
function takeDown(c: ZoneCleanups, zone: string, records: DnsRecord[]): void {
  for (const r of records) {
    const k = recordKey(zone, r);
    const n = c.up.get(k) ?? 0;
    if (n > 1) c.up.set(k, n - 1);
    else c.up.delete(k);
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
