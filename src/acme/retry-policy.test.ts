import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from './retry-policy.js';

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('honours Retry-After, never sooner, with at most 10 % (1 s) of jitter on top, and caps it', () => {
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, 2000, () => 0)).toBe(2000);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, 2000, () => 1)).toBe(2200);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, 30_000, () => 1)).toBe(31_000);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, 86_400_000, () => 0)).toBe(DEFAULT_RETRY_POLICY.maxRetryAfterMs);
  });
  it('backs off exponentially with jitter inside [ceiling/2, ceiling]', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(p, 1, undefined, () => 0)).toBe(50);
    expect(retryDelay(p, 1, undefined, () => 1)).toBe(100);
    expect(retryDelay(p, 3, undefined, () => 1)).toBe(400);
    expect(retryDelay(p, 10, undefined, () => 1)).toBe(1000);
  });
});
