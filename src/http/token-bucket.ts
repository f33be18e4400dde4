/** A token bucket: `rate` requests per second on average, bursts of up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly rate: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes one token if there is one; `now` in milliseconds. */
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
