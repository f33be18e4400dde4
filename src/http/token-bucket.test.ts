import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('gives a burst, then the rate', () => {
    const b = new TokenBucket(2, 4, 0);
    const takes = (now: number, n: number) => Array.from({ length: n }, () => b.take(now)).filter(Boolean).length;
    expect(takes(0, 10)).toBe(4);
    expect(takes(500, 10)).toBe(1);
    expect(takes(10_000, 10)).toBe(4); // never more than the burst after idling
  });

  it('a clock that goes backwards adds nothing', () => {
    const b = new TokenBucket(1, 1, 1000);
    expect(b.take(1000)).toBe(true);
    expect(b.take(0)).toBe(false);
  });
});
