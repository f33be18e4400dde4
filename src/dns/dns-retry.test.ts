import { describe, expect, it, vi } from 'vitest';
import { CertfleetError } from '../errors.js';
import { isRetryableDnsError, provablyNotWritten, retryDns } from './dns-retry.js';

const down = () => new CertfleetError('DNS_PROVIDER', 'PowerDNS provider p: API unreachable', { retryable: true, cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });

describe('retryDns', () => {
  it('clears its own deadline (deadlineMs) when the operation ends: no timer left to fire later', async () => {
    vi.useFakeTimers();
    try {
      await expect(retryDns(() => Promise.resolve(7), new AbortController().signal, { deadlineMs: 10_000 })).resolves.toBe(7);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops retrying when its own deadline (deadlineMs) has passed, and throws the last failure', async () => {
    let calls = 0;
    const err = await retryDns(() => { calls++; return Promise.reject(down()); }, new AbortController().signal, { deadlineMs: 100, firstDelayMs: 1, maxDelayMs: 5 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/API unreachable/);
    expect(calls).toBeGreaterThan(1);
  });

  it('keeps trying a retryable failure until the budget ends, then throws the last failure (not the timeout)', async () => {
    let calls = 0;
    const err = await retryDns(() => { calls++; return Promise.reject(down()); }, AbortSignal.timeout(400), { firstDelayMs: 5, maxDelayMs: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertfleetError);
    expect((err as Error).message).toMatch(/API unreachable/);
    // A fixed cap of 3 attempts is what gave up within a second whatever the budget.
    expect(calls).toBeGreaterThan(5);
  });

  it('succeeds once the server is back', async () => {
    let calls = 0;
    const out = await retryDns(() => (++calls < 4 ? Promise.reject(down()) : Promise.resolve('ok')), AbortSignal.timeout(5000), { firstDelayMs: 1 });
    expect(out).toBe('ok');
    expect(calls).toBe(4);
  });

  it('a deadline stops further attempts but does not cut the one in flight short', async () => {
    let calls = 0;
    const seen: boolean[] = [];
    const err = await retryDns(async (s) => {
      calls++;
      await new Promise((r) => setTimeout(r, 60));
      seen.push(s.aborted);
      throw down();
    }, AbortSignal.timeout(5000), { deadline: AbortSignal.timeout(100), firstDelayMs: 1 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/API unreachable/);
    expect(seen.every((a) => !a)).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThan(5);
  });

  it('when the signal aborts during an attempt, the last provider failure is thrown', async () => {
    const controller = new AbortController();
    let calls = 0;
    const err = await retryDns((s) => {
      if (++calls === 1) return Promise.reject(down());
      controller.abort(new Error('timeout'));
      return Promise.reject(s.reason as Error);
    }, controller.signal, { firstDelayMs: 1 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/API unreachable/);
  });

  it('does not retry what retrying cannot fix', async () => {
    let calls = 0;
    const refused = new CertfleetError('DNS_AUTH', 'key refused');
    await expect(retryDns(() => { calls++; return Promise.reject(refused); }, AbortSignal.timeout(5000), { firstDelayMs: 1 })).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('classifies errors', () => {
    expect(isRetryableDnsError(new Error('socket hang up'))).toBe(true);
    expect(isRetryableDnsError(new CertfleetError('DNS_PROVIDER', 'HTTP 422'))).toBe(false);
    expect(provablyNotWritten(down())).toBe(true);
    expect(provablyNotWritten(new CertfleetError('DNS_AUTH', 'refused'))).toBe(true);
    expect(provablyNotWritten(new CertfleetError('DNS_PROVIDER', 'HTTP 500', { retryable: true }))).toBe(false);
    expect(provablyNotWritten(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
    expect(provablyNotWritten(new Error('The operation was aborted'))).toBe(false);
  });
});
