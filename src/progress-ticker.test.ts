import { afterEach, describe, expect, it, vi } from 'vitest';
import { tickWhile } from './progress-ticker.js';

describe('tickWhile', () => {
  afterEach(() => vi.useRealTimers());

  it('ticks at once, then every interval, and never after it is stopped', () => {
    vi.useFakeTimers();
    const ticks: number[] = [];
    const stop = tickWhile((ms) => ticks.push(ms), 5_000);
    expect(ticks).toEqual([0]);
    vi.advanceTimersByTime(4_999);
    expect(ticks).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ticks).toHaveLength(2);
    vi.advanceTimersByTime(5_000);
    expect(ticks).toHaveLength(3);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(ticks).toHaveLength(3);
  });
});
