/** A credential that expires: the value and when it stops working (ms since the epoch). */
export interface Expiring<T> { value: T; expiresAt: number }

/**
 * Keeps one credential (an OAuth token, temporary AWS keys) until shortly before it expires,
 * then fetches a new one; callers at the same moment share one fetch. A failed fetch is not
 * kept, so the next call tries again.
 */
export class ExpiringCredential<T> {
  private current?: Expiring<T>;
  private pending: Promise<Expiring<T>> | undefined;

  /** `marginMs`: how long before expiry a credential counts as expired (clocks drift, requests take time). */
  constructor(private readonly fetch: (signal: AbortSignal) => Promise<Expiring<T>>, private readonly marginMs = 5 * 60_000, private readonly now: () => number = Date.now) {}

  async get(signal: AbortSignal): Promise<T> {
    if (this.current && this.current.expiresAt - this.marginMs > this.now()) return this.current.value;
    this.pending ??= this.fetch(signal).finally(() => { this.pending = undefined; });
    this.current = await this.pending;
    return this.current.value;
  }
}
