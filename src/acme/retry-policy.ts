/** How the ACME client waits between attempts; every number here is a documented default. */
export interface RetryPolicy {
  maxAttempts: number;
  /** badNonce answers retried at once with the nonce they carry, counted apart from maxAttempts. */
  maxBadNonceRetries: number;
  /** First backoff for 5xx and network errors; doubled per attempt, full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Retry-After above this is capped (and the cap is used). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxBadNonceRetries: 20,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/** Parses Retry-After (delta seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Delay before attempt `attempt` (1 = first retry): Retry-After when given (capped), else exponential backoff with full jitter. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
