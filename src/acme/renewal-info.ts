/** A suggested renewal window (RFC 9773 §4.2), with when to ask again. */
export interface RenewalInfo {
  start: number;
  end: number;
  explanationUrl?: string;
  /** From Retry-After, unclamped (the scheduler clamps it). */
  retryAfterMs?: number;
}

/** Parses a renewalInfo answer; undefined when it is not a usable window. */
export function parseRenewalInfo(body: unknown): Omit<RenewalInfo, 'retryAfterMs'> | undefined {
  const w = (body as { suggestedWindow?: { start?: unknown; end?: unknown } } | null)?.suggestedWindow;
  const start = typeof w?.start === 'string' ? Date.parse(w.start) : NaN;
  const end = typeof w?.end === 'string' ? Date.parse(w.end) : NaN;
  // RFC 9773 §4.2: a window whose end is not after its start is invalid and must be ignored.
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return undefined;
  const explanation = (body as { explanationURL?: unknown }).explanationURL;
  return { start, end, ...(typeof explanation === 'string' ? { explanationUrl: explanation } : {}) };
}
