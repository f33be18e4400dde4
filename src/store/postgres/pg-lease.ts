import { setTimeout as delay } from 'node:timers/promises';
import { CertfleetError, errorMessage } from '../../errors.js';
import type { Lease } from '../certificate-store.js';
import type { PgDatabase, PgQuery } from './pg-database.js';

export interface LeaseTiming {
  /** A lease not renewed for this long expires (the database's clock). */
  ttlMs: number;
  /** How often a held lease is renewed: about a third of the TTL. */
  heartbeatMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { ttlMs: 30_000, heartbeatMs: 10_000 };

/**
 * A grant of one name's lock in the `leases` table. Expiry is the database's `now()` plus the
 * TTL, so hosts whose clocks disagree still agree on who holds it; the host's clock is only used
 * to space heartbeats. A heartbeat that finds the row gone, taken or expired fires `signal`
 * (STORE_LOCKED); so does one that cannot reach the database for half a TTL, before the lease
 * could have expired there.
 */
export class PgLease implements Lease {
  private readonly controller = new AbortController();
  private released = false;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() when the last successful renewal was sent. */
  private renewedAt = performance.now();

  constructor(private readonly db: PgDatabase, readonly name: string, readonly holder: string, readonly token: bigint, private readonly timing: LeaseTiming) {
    this.schedule(timing.heartbeatMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why this lease may not write now, or undefined (the row is checked in the write's transaction). */
  unusable(): string | undefined {
    if (this.released) return 'it was released';
    if (this.controller.signal.aborted) return 'it was lost (its heartbeat found it expired or taken)';
    return undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.heartbeat(), ms);
    this.timer.unref();
  }

  private lose(why: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort(new CertfleetError('STORE_LOCKED', `the lock of ${this.name} was lost: ${why}`, { retryable: true }));
  }

  private async heartbeat(): Promise<void> {
    if (this.released || this.signal.aborted) return;
    const sent = performance.now();
    try {
      const r = await this.db.query('renew a lease', `UPDATE leases SET expires_at = now() + $3 * interval '1 millisecond'
        WHERE name = $1 AND token = $2 AND expires_at > now() RETURNING 1`, [this.name, this.token.toString(), this.timing.ttlMs], AbortSignal.timeout(this.timing.heartbeatMs));
      if (this.released) return;
      if (r.rowCount === 0) return this.lose('it expired or was taken over (the holder stalled longer than its TTL)');
      this.renewedAt = sent;
      this.schedule(this.timing.heartbeatMs);
    } catch (err) {
      if (this.released) return;
      if (performance.now() - this.renewedAt >= this.timing.ttlMs / 2) return this.lose(`the database could not be reached to renew it (${errorMessage(err)})`);
      this.schedule(Math.max(50, this.timing.heartbeatMs / 4));
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    // A release that cannot reach the database leaves the row to expire: nothing waits on it longer than the TTL.
    await this.db.query('release a lease', 'DELETE FROM leases WHERE name = $1 AND token = $2', [this.name, this.token.toString()], AbortSignal.timeout(5_000)).catch(() => undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/**
 * One attempt at `name`'s lock, never waiting: the row is claimed with FOR UPDATE SKIP LOCKED (a
 * row another transaction has locked, a save under that lease, is busy), an expired one is taken
 * over, a missing one inserted; every grant gets a fresh token from the sequence, so it is greater
 * than every earlier grant's. undefined while a live holder has it.
 */
export async function tryAcquire(db: PgDatabase, name: string, holder: string, timing: LeaseTiming, signal: AbortSignal): Promise<PgLease | undefined> {
  const token = await db.transaction(`take the lease of ${name}`, signal, async (q) => {
    const row = (await q<{ live: boolean }>('SELECT expires_at > now() AS live FROM leases WHERE name = $1 FOR UPDATE SKIP LOCKED', [name])).rows[0];
    if (row?.live) return undefined;
    const granted = row
      ? await q<{ token: string }>(`UPDATE leases SET holder = $2, token = nextval('lease_tokens'), acquired_at = now(), expires_at = now() + $3 * interval '1 millisecond'
          WHERE name = $1 RETURNING token`, [name, holder, timing.ttlMs])
      // No row, or one that is locked (busy): an insert that does nothing on a conflict tells them apart without waiting.
      : await q<{ token: string }>(`INSERT INTO leases (name, holder, token, expires_at) VALUES ($1, $2, nextval('lease_tokens'), now() + $3 * interval '1 millisecond')
          ON CONFLICT (name) DO NOTHING RETURNING token`, [name, holder, timing.ttlMs]);
    return granted.rows[0]?.token;
  });
  return token === undefined ? undefined : new PgLease(db, name, holder, BigInt(token), timing);
}

/** Waits for `name`'s lock, polling with backoff (only a waiter polls: an idle daemon does not). */
export async function acquire(db: PgDatabase, name: string, holder: string, timing: LeaseTiming, signal: AbortSignal): Promise<PgLease> {
  for (let wait = 25; ; wait = Math.min(wait * 2, 1_000)) {
    const lease = await tryAcquire(db, name, holder, timing, signal);
    if (lease) return lease;
    await delay(wait, undefined, { signal });
  }
}

/**
 * What this process knows without asking the database: a lease it released or gave up (its
 * heartbeat could not renew it) is refused at once with STORE_FENCED, before a connection is
 * asked for, so a write under it never waits on a network that is gone.
 */
export function assertLeaseUsable(lease: Lease, name: string, what: string): asserts lease is PgLease {
  const refuse = (why: string) => new CertfleetError('STORE_FENCED', `${what} of ${name} refused: the lease ${why}; nothing was written`);
  if (!(lease instanceof PgLease) || lease.name !== name) throw refuse(`is not one of ${name}'s lock in this store`);
  const unusable = lease.unusable();
  if (unusable) throw refuse(unusable);
}

/**
 * Inside a write's transaction: locks `lease`'s row (FOR UPDATE, so a takeover waits for this
 * commit) and refuses with STORE_FENCED unless it is still this grant and unexpired.
 */
export async function assertLeaseCurrent(q: PgQuery, lease: Lease, name: string, what: string): Promise<void> {
  assertLeaseUsable(lease, name, what);
  const refuse = (why: string) => new CertfleetError('STORE_FENCED', `${what} of ${name} refused: the lease ${why}; nothing was written`);
  const row = (await q<{ token: string; live: boolean }>('SELECT token, expires_at > now() AS live FROM leases WHERE name = $1 FOR UPDATE', [name])).rows[0];
  if (!row) throw refuse(`is stale (token ${lease.token}; the lock is no longer held)`);
  if (BigInt(row.token) !== lease.token) throw refuse(`is stale (token ${lease.token}; the lock was granted again since, token ${row.token})`);
  if (!row.live) throw refuse(`expired (token ${lease.token}): another host may take it over at any moment`);
}
