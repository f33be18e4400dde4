import { describe, expect, it } from 'vitest';
import { endsByDeadline, ISSUANCE_CA_BUDGET_MS, issuanceDeadline, issuanceTimeoutMs } from './issuance-deadline.js';

describe('issuance deadline', () => {
  it('is the CA budget plus the longest configured propagation wait', () => {
    expect(issuanceTimeoutMs([10_000, 1_800_000, 120_000])).toBe(ISSUANCE_CA_BUDGET_MS + 1_800_000);
    expect(issuanceTimeoutMs([])).toBe(ISSUANCE_CA_BUDGET_MS);
  });

  it('aborts with a typed, retryable error naming the certificate and the bound', async () => {
    const d = issuanceDeadline('web', 1);
    await new Promise((r) => d.signal.addEventListener('abort', r, { once: true }));
    expect(d.signal.reason).toMatchObject({ code: 'ISSUANCE_TIMEOUT', retryable: true, message: expect.stringMatching(/^web: the issuance did not finish within 1 ms/) });
  });

  it('never fires once cleared', async () => {
    const d = issuanceDeadline('web', 1);
    d.clear();
    await new Promise((r) => setTimeout(r, 20));
    expect(d.signal.aborted).toBe(false);
  });

  it('ends work that ignores the abort after the grace, with the reason; work that unwinds in time ends with its own answer', async () => {
    const ac = new AbortController();
    ac.abort(new Error('deadline'));
    await expect(endsByDeadline(new Promise(() => undefined), ac.signal, 10)).rejects.toThrow('deadline');
    const late = new AbortController();
    const work = endsByDeadline(new Promise((r) => setTimeout(() => r('unwound'), 5)), late.signal, 1_000);
    late.abort(new Error('deadline'));
    await expect(work).resolves.toBe('unwound');
  });
});
