import { afterEach, describe, expect, it, vi } from 'vitest';
import { timeoutSignal } from './abort.js';

afterEach(() => { vi.useRealTimers(); });

describe('timeoutSignal', () => {
  it('aborts with a TimeoutError once the time has passed, as AbortSignal.timeout does', () => {
    vi.useFakeTimers();
    const t = timeoutSignal(1000);
    vi.advanceTimersByTime(999);
    expect(t.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(t.signal.aborted).toBe(true);
    expect((t.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('leaves no timer behind once cleared, and never aborts', () => {
    vi.useFakeTimers();
    const t = timeoutSignal(1000);
    expect(vi.getTimerCount()).toBe(1);
    t.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(t.signal.aborted).toBe(false);
  });
});
