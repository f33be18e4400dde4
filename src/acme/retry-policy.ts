/** How the ACME client waits between attempts; every number here is a documented default (docs/errors.md). */
export interface RetryPolicy {
  /** Attempts per request in all, for 429, 5xx, network errors, stalls and garbage answers. */
  maxAttempts: number;
  /** badNonce answers retried at once with the nonce they carry, counted apart from maxAttempts. */
  maxBadNonceRetries: number;
  /** First backoff when the CA sent no Retry-After; doubled per attempt, jittered. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Retry-After above this is capped (and the cap is used). */
  maxRetryAfterMs: number;
  /** One request (connect, send, whole answer) gets this long; a stalled CA counts as a failed attempt. */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  // 10, not 5: with 30 % of answers faulted, 5 attempts lose about one request in 400 (0.3^5),
  // a certificate in every few runs of ten; 10 lose one in 170,000.
  maxAttempts: 10,
  maxBadNonceRetries: 20,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  requestTimeoutMs: 30_000,
};

/** Parses Retry-After (delta seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Delay before attempt `attempt + 1` (attempt 1 = the first try failed). With Retry-After (already
 * capped by the caller): that, plus up to 10 % (at most 1 s) so clients told the same time do not
 * all come back at once, and never sooner. Without: exponential backoff, jittered in [ceiling/2, ceiling].
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random = Math.random): number {
  if (retryAfterMs !== undefined) {
    const asked = Math.min(retryAfterMs, policy.maxRetryAfterMs);
    return Math.ceil(asked + random() * Math.min(asked * 0.1, 1000));
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
